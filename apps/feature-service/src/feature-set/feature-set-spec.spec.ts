import { InvalidArgumentError } from '@strata/service-runtime';
import type { Source } from '../source/source';
import { featureSetContractDigest, type FeatureSetSpecDraft, impliedType, validateFeatureSetSpec } from './feature-set-spec';

const aSource = (overrides: Partial<Source> = {}): Source => ({
  id: 'source-1',
  version: 3,
  digest: `sha256:${'0'.repeat(64)}`,
  createdAt: new Date('2026-11-28T00:00:00Z'),
  spec: {
    name: 'flights',
    entityKeyFields: ['origin', 'destination'],
    eventTimeField: 'date',
    fields: [
      { name: 'date', type: 'TIMESTAMP', nullable: false, allowedValues: [], description: '' },
      { name: 'origin', type: 'STRING', nullable: false, allowedValues: [], description: '' },
      { name: 'destination', type: 'STRING', nullable: false, allowedValues: [], description: '' },
      { name: 'delay', type: 'INT64', nullable: false, allowedValues: [], description: '' },
    ],
    description: '',
    owner: '',
    tags: {},
  },
  ...overrides,
});

const aDraft = (overrides: Partial<FeatureSetSpecDraft> = {}): FeatureSetSpecDraft => ({
  name: 'route_stats',
  version: 1,
  entity: { name: 'route', keyFields: [] },
  source: { name: 'flights', version: 0 },
  features: [
    { name: 'flights_7d', type: 'INT64', aggregation: 'count', field: '', windowSeconds: 604800, filter: ' delay > 15 ', defaultValue: { type: 'INT64', value: 0 }, description: '' },
    { name: 'avg_delay', type: 'DOUBLE', aggregation: 'avg', field: 'delay', filter: '', description: '' },
  ],
  owner: 'ml',
  description: '',
  tags: { z: '1', a: '2' },
  ...overrides,
});

describe(validateFeatureSetSpec.name, () => {
  it('resolves the source version, defaults the key to the source key and keeps the canonical form', () => {
    const spec = validateFeatureSetSpec(aDraft(), aSource());

    expect(spec.source).toEqual({ name: 'flights', version: 3 });
    expect(spec.entity.keyFields).toEqual(['origin', 'destination']);
    expect(spec.features[0]).toEqual({ name: 'flights_7d', type: 'INT64', aggregation: 'count', field: '', windowSeconds: 604800, filter: 'delay > 15', defaultValue: 0, description: '' });
    expect(spec.features[1]).not.toHaveProperty('windowSeconds');
    expect(Object.keys(spec.tags)).toEqual(['a', 'z']);
  });

  it('gives identical content the same contract digest, and another source version another one', () => {
    const source = aSource();
    const digest = featureSetContractDigest(validateFeatureSetSpec(aDraft(), source), source.digest);

    expect(featureSetContractDigest(validateFeatureSetSpec(aDraft({ tags: { a: '2', z: '1' } }), source), source.digest)).toBe(digest);
    expect(featureSetContractDigest(validateFeatureSetSpec(aDraft(), aSource({ version: 4 })), source.digest)).not.toBe(digest);
    expect(featureSetContractDigest(validateFeatureSetSpec(aDraft(), source), `sha256:${'1'.repeat(64)}`)).not.toBe(digest);
  });

  it('refuses a key field the source does not have, naming the source version', () => {
    const attempt = () => validateFeatureSetSpec(aDraft({ entity: { name: 'route', keyFields: ['carrier'] } }), aSource());

    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow('spec.entity.key_fields[0]: "carrier" is not a field of the schema of source flights version 3');
  });
});

describe(impliedType.name, () => {
  it.each([
    ['count', undefined, 'INT64'],
    ['count', 'STRING', 'INT64'],
    ['sum', 'DOUBLE', 'DOUBLE'],
    ['sum', 'INT64', 'INT64'],
    ['avg', 'INT64', 'DOUBLE'],
    ['min', 'INT64', 'INT64'],
    ['max', 'DOUBLE', 'DOUBLE'],
    ['last', 'TIMESTAMP', 'TIMESTAMP'],
    ['last', 'BOOL', 'BOOL'],
  ] as const)('%s over a %s field is %s', (aggregation, fieldType, expected) => {
    expect(impliedType(aggregation, fieldType)).toBe(expected);
  });

  it.each([
    ['sum', 'STRING'],
    ['avg', 'BOOL'],
    ['min', 'STRING'],
    ['max', 'TIMESTAMP'],
  ] as const)('refuses %s over a %s field', (aggregation, fieldType) => {
    expect(impliedType(aggregation, fieldType)).toEqual({ problem: expect.stringContaining(fieldType) });
  });
});

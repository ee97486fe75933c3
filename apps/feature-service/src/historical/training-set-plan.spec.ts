import { InvalidArgumentError } from '@strata/service-runtime';
import type { FeatureDef, FeatureSet } from '../feature-set/feature-set';
import type { Source } from '../source/source';
import type { TrainingSetRequest } from './training-set';
import { planTrainingSet } from './training-set-plan';

function aSource(overrides: Partial<Source['spec']> = {}): Source {
  const field = (name: string, type: 'STRING' | 'TIMESTAMP' | 'DOUBLE') => ({ name, type, nullable: false, allowedValues: [], description: '' });
  return {
    id: 'source-1',
    version: 1,
    digest: 'sha256:s',
    createdAt: new Date(0),
    spec: { name: 'flights', entityKeyFields: ['origin'], eventTimeField: 'ts', fields: [field('origin', 'STRING'), field('ts', 'TIMESTAMP'), field('delay', 'DOUBLE')], description: '', owner: '', tags: {}, ...overrides },
  };
}

function aFeature(name: string): FeatureDef {
  return { name, type: 'DOUBLE', aggregation: 'avg', field: 'delay', filter: '', description: '' };
}

function aFeatureSet(name: string, keyFields: string[] = [], features = [aFeature('avg_delay'), aFeature('max_delay')]): FeatureSet {
  return {
    id: `${name}-id`,
    contractDigest: `sha256:${name}`,
    createdAt: new Date(0),
    onlineGeneration: 0n,
    source: aSource(),
    spec: { name, version: 2, entity: { name: 'airport', keyFields }, source: { name: 'flights', version: 1 }, features, owner: '', description: '', tags: {} },
  };
}

function aRequest(overrides: Partial<TrainingSetRequest> = {}): TrainingSetRequest {
  return { featureSets: [], entities: { kind: 'rows', rows: [], extraColumns: [] }, features: [], ...overrides };
}

function violationsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.fieldViolations.map((violation) => `${violation.field}: ${violation.description}`);
    throw error;
  }
  return [];
}

const aRow = (entityId: string) => ({ entityId, at: new Date(0), extras: [] });

describe(`${planTrainingSet.name} of inline rows`, () => {
  const rowsRequest = (...entityIds: string[]) => aRequest({ entities: { kind: 'rows', rows: entityIds.map(aRow), extraColumns: [] } });

  it('refuses a row whose entity ID has too few parts for a composite key, naming the row', () => {
    const byRoute = aFeatureSet('routes', ['origin', 'delay']);

    expect(violationsOf(() => planTrainingSet(rowsRequest('SFO|12.5', 'SFO'), [byRoute]))).toEqual([
      'rows.rows[1].entity_id: "SFO" does not match the entity key of feature set "routes": 1 part where the key (origin, delay) has 2; join the values with "|", e.g. "<origin>|<delay>"',
    ]);
  });

  it('refuses key values the source field never accepts, and accepts any string for a free STRING key', () => {
    const constrained = { ...aFeatureSet('a'), source: aSource({ fields: [{ name: 'origin', type: 'STRING', nullable: false, allowedValues: [], maxLength: 3, description: '' }] }) };

    expect(violationsOf(() => planTrainingSet(rowsRequest('SFO', 'SFOX'), [constrained]))).toEqual(['rows.rows[1].entity_id: "SFOX" does not match the entity key of feature set "a": key field origin is 4 characters long, max 3, so no event has this key']);
    expect(violationsOf(() => planTrainingSet(rowsRequest('anything at all | even this'), [aFeatureSet('a')]))).toEqual([]);
  });

  it('lists ten refused rows and counts the others', () => {
    const violations = violationsOf(() => planTrainingSet(rowsRequest(...Array.from({ length: 13 }, (_, index) => `x${index}`)), [aFeatureSet('routes', ['origin', 'delay'])]));

    expect(violations).toHaveLength(11);
    expect(violations.at(-1)).toBe('rows.rows: 3 more rows have an entity ID that does not match the entity key');
  });
});

describe(planTrainingSet.name, () => {
  it('lays out entity_id, timestamp, extras, then features in feature set and declared order', () => {
    const plan = planTrainingSet(
      aRequest({ features: ['b.max_delay', 'a.avg_delay', 'b.avg_delay'], entities: { kind: 'rows', rows: [], extraColumns: [{ name: 'label', type: 'BOOL', field: 'x' }] } }),
      [aFeatureSet('a'), aFeatureSet('b', ['origin'])],
    );
    expect(plan.columns.map((column) => `${column.name}:${column.type}:${column.role}`)).toEqual([
      'entity_id:STRING:ENTITY_ID',
      'timestamp:TIMESTAMP:TIMESTAMP',
      'label:BOOL:EXTRA',
      'a.avg_delay:DOUBLE:FEATURE',
      'b.avg_delay:DOUBLE:FEATURE',
      'b.max_delay:DOUBLE:FEATURE',
    ]);
    expect(plan.keyFields).toEqual(['origin']);
    expect(plan.contracts).toEqual([
      { name: 'a', version: 2, digest: 'sha256:a' },
      { name: 'b', version: 2, digest: 'sha256:b' },
    ]);
  });

  it('takes every feature when none are named', () => {
    expect(planTrainingSet(aRequest(), [aFeatureSet('a')]).columns.map((column) => column.name)).toEqual(['entity_id', 'timestamp', 'a.avg_delay', 'a.max_delay']);
  });

  it('refuses feature sets with different entity keys', () => {
    expect(violationsOf(() => planTrainingSet(aRequest(), [aFeatureSet('a'), aFeatureSet('b', ['dest'])]))).toEqual([expect.stringMatching(/^feature_sets\[1\]: entity key \(dest\)/)]);
  });

  it('refuses unknown features and extra columns that collide', () => {
    const request = aRequest({
      features: ['a.nope', 'c.avg_delay'],
      entities: { kind: 'rows', rows: [], extraColumns: [{ name: 'entity_id', type: 'STRING', field: 'e1' }, { name: 'a.avg_delay', type: 'DOUBLE', field: 'e2' }] },
    });
    expect(violationsOf(() => planTrainingSet(request, [aFeatureSet('a')])).map((violation) => violation.split(':')[0])).toEqual(['features[0]', 'features[1]', 'e1']);
    expect(violationsOf(() => planTrainingSet(aRequest({ entities: request.entities }), [aFeatureSet('a')])).map((violation) => violation.split(':')[0])).toEqual(['e1', 'e2']);
  });

  it('types query extras from the source and checks fields, key and filter', () => {
    const query = (extraFields: string[], filter = '') => aRequest({ entities: { kind: 'query', query: { source: 'flights', start: new Date(0), end: new Date(1), extraFields, filter } } });
    expect(planTrainingSet(query(['delay']), [aFeatureSet('a')], aSource()).columns[2]).toEqual({ name: 'delay', type: 'DOUBLE', role: 'EXTRA' });
    expect(violationsOf(() => planTrainingSet(query(['gate'], 'delay >'), [aFeatureSet('a')], aSource())).map((violation) => violation.split(':')[0])).toEqual(['query.filter', 'query.extra_fields[0]']);
    expect(violationsOf(() => planTrainingSet(query([], 'gate == "A"'), [aFeatureSet('a')], aSource()))).toEqual(['query.filter: unknown field "gate"']);
    expect(violationsOf(() => planTrainingSet(query([]), [aFeatureSet('a', ['dest'])], aSource()))).toEqual([expect.stringMatching(/^query.source: source "flights" has no field "dest"/)]);
  });
});

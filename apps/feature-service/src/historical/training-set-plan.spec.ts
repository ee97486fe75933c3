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

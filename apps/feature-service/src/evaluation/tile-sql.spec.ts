import type { FeatureDef, FeatureSet } from '../feature-set/feature-set';
import type { FieldSchema } from '../source/source';
import { entityKeySql, tileLayoutOf, tileSelectSql } from './tile-sql';
import { featureSlotsOf, longestWindowSeconds, windowAggregatesSql } from './window-sql';

const field = (name: string, type: FieldSchema['type']): FieldSchema => ({ name, type, nullable: true, allowedValues: [], description: '' });
const aFeature = (overrides: Partial<FeatureDef>): FeatureDef => ({ name: 'f', type: 'INT64', aggregation: 'count', field: '', filter: '', description: '', ...overrides });

function aFeatureSet(features: FeatureDef[], keyFields: string[] = []): FeatureSet {
  return {
    id: '00000000-0000-0000-0000-000000000001',
    contractDigest: 'sha256:00',
    createdAt: new Date(0),
    onlineGeneration: 0n,
    spec: { name: 'route_stats', version: 1, entity: { name: 'route', keyFields }, source: { name: 'trips', version: 1 }, features, owner: '', description: '', tags: {} },
    source: {
      id: 's1',
      version: 1,
      digest: 'sha256:01',
      createdAt: new Date(0),
      spec: { name: 'trips', entityKeyFields: ['origin', 'destination'], eventTimeField: 'ts', fields: [field('origin', 'STRING'), field('destination', 'STRING'), field('ts', 'TIMESTAMP'), field('delay', 'DOUBLE'), field('order', 'STRING')], description: '', owner: '', tags: {} },
    },
  };
}

describe('tile SQL', () => {
  it('uses the stored entity key for the source key and joins payload fields for another key', () => {
    expect(entityKeySql(aFeatureSet([aFeature({})]), 'ev')).toBe('ev.entity_key');
    expect(entityKeySql(aFeatureSet([aFeature({})], ['origin']), 'ev')).toBe("concat_ws('|', ev.payload->>'origin')");
  });

  it('reads each payload field once, quoting reserved words, and compiles filters', () => {
    const sql = tileSelectSql(
      aFeatureSet([aFeature({ name: 'late', filter: 'delay > 15' }), aFeature({ name: 'avg_delay', aggregation: 'avg', type: 'DOUBLE', field: 'delay' }), aFeature({ name: 'last_order', aggregation: 'last', type: 'STRING', field: 'order' })]),
      'ev.source = $1',
    );
    expect(sql).toContain('jsonb_to_record(ev.payload) AS p("delay" float8, "order" text)');
    expect(sql).toContain("(ev.payload->>'delay')::float8 > '15'::float8");
    expect(sql).toContain('GROUP BY e.entity_key, e.event_time');
  });

  it('picks a tile layout per aggregation', () => {
    expect(tileLayoutOf(aFeature({ aggregation: 'avg', field: 'delay' }), 'DOUBLE')).toBe('sum');
    expect(tileLayoutOf(aFeature({ aggregation: 'min', field: 'order' }), 'STRING')).toBe('string-min');
    expect(tileLayoutOf(aFeature({ aggregation: 'last', field: 'order' }), 'STRING')).toBe('last');
  });

  it('bounds the windows and rejects unknown features', () => {
    const featureSet = aFeatureSet([aFeature({ name: 'a', windowSeconds: 3600 }), aFeature({ name: 'b', windowSeconds: 86400 }), aFeature({ name: 'c' })]);
    expect(longestWindowSeconds(featureSlotsOf(featureSet, ['a', 'b']))).toBe(86400);
    expect(longestWindowSeconds(featureSlotsOf(featureSet))).toBeUndefined();
    expect(() => featureSlotsOf(featureSet, ['nope'])).toThrow('has no feature "nope"');
    expect(windowAggregatesSql(featureSet, featureSlotsOf(featureSet, ['a']), 't.at')[0]).toContain("x.tile_time > t.at - interval '1 second' * 3600");
  });
});

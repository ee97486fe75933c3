import { status } from '@grpc/grpc-js';
import { commonV1, featuresV1 } from '@strata/contracts';
import { failureOf } from '@strata/testing';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';
import { aFeature, aFeatureSetSpec, aSourceSpec, flightsExample } from '../fixtures/source-specs';

const { VALUE_TYPE_DOUBLE, VALUE_TYPE_INT64, VALUE_TYPE_STRING, VALUE_TYPE_TIMESTAMP } = commonV1.ValueType;
const { AGGREGATION_AVG, AGGREGATION_COUNT, AGGREGATION_LAST, AGGREGATION_MIN, AGGREGATION_SUM, AGGREGATION_UNSPECIFIED } = featuresV1.Aggregation;

// ApplyFeatureSet, GetFeatureSet and ListFeatureSets over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each(ENGINES)('feature sets on %s', (engine) => {
  let feature: TestFeatureService;

  beforeAll(async () => {
    feature = await startTestFeatureService(engine);
    await feature.client.call('applySource', { spec: aSourceSpec() });
  });

  afterAll(async () => {
    await feature?.stop();
  });

  it('registers a version with its contract digest, defaulting the key to the source key and resolving the source version', async () => {
    const { featureSet, created } = await feature.client.call('applyFeatureSet', { spec: aFeatureSetSpec({ name: 'registered' }) });

    expect(created).toBe(true);
    expect(featureSet?.contractDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(featureSet?.materializedUntil).toBeNull();
    expect(featureSet?.spec).toMatchObject({
      name: 'registered',
      version: 1,
      entity: { name: 'user', keyFields: ['user_id'] },
      source: { name: 'payments', version: 1 },
      ttl: { seconds: '86400', nanos: 0 },
      owner: 'risk-team',
      tags: { tier: 'gold' },
    });
    expect(featureSet?.spec?.features.map((f) => [f.name, f.type, f.aggregation, f.field, f.window?.seconds ?? null, f.filter])).toEqual([
      ['payments_7d', 'VALUE_TYPE_INT64', 'AGGREGATION_COUNT', '', '604800', ''],
      ['amount_sum_7d', 'VALUE_TYPE_DOUBLE', 'AGGREGATION_SUM', 'amount', '604800', ''],
      ['big_payments_1d', 'VALUE_TYPE_INT64', 'AGGREGATION_COUNT', '', '86400', 'amount > 1000 and country != "US"'],
      ['max_attempts', 'VALUE_TYPE_INT64', 'AGGREGATION_MAX', 'attempts', null, ''],
      ['last_country', 'VALUE_TYPE_STRING', 'AGGREGATION_LAST', 'country', '604800', ''],
    ]);
    expect(featureSet?.spec?.features[1]?.defaultValue).toMatchObject({ doubleValue: 0, kind: 'doubleValue' });
    expect(featureSet?.spec?.features[4]?.defaultValue).toMatchObject({ stringValue: 'unknown' });

    const read = await feature.client.call('getFeatureSet', { featureSet: { name: 'registered', version: 1 } });
    expect(read.featureSet).toEqual(featureSet);
  });

  it('is idempotent: identical content returns the same version and digest with created=false', async () => {
    const first = await feature.client.call('applyFeatureSet', { spec: aFeatureSetSpec({ name: 'idempotent', tags: { a: '1', b: '2' } }) });
    const again = await feature.client.call('applyFeatureSet', { spec: aFeatureSetSpec({ name: 'idempotent', tags: { b: '2', a: '1' } }) });

    expect(again).toEqual({ ...first, created: false });
  });

  it('refuses different content for an applied name+version with FAILED_PRECONDITION, and accepts it as a new version', async () => {
    await feature.client.call('applyFeatureSet', { spec: aFeatureSetSpec({ name: 'immutable' }) });
    const changed = aFeatureSetSpec({ name: 'immutable', features: [aFeature({ name: 'payments_30d', window: { seconds: '2592000' } })] });

    const failure = await failureOf(feature.client.call('applyFeatureSet', { spec: changed }));
    const v2 = await feature.client.call('applyFeatureSet', { spec: { ...changed, version: 2 } });

    expect(failure.code).toBe(status.FAILED_PRECONDITION);
    expect(failure.preconditionViolations).toEqual([{ type: 'IMMUTABLE_VERSION', subject: 'feature_sets/immutable/versions/1', description: expect.stringContaining('new version') }]);
    expect(v2.created).toBe(true);
    expect((await feature.client.call('getFeatureSet', { featureSet: { name: 'immutable', version: 0 } })).featureSet?.spec?.version).toBe(2);
    expect((await feature.client.call('getFeatureSet', { featureSet: { name: 'immutable', version: 1 } })).featureSet?.spec?.features).toHaveLength(5);
  });

  it('keeps a version pinned to the source version it resolved: re-applying with source version 0 after a source change is still the same content', async () => {
    await feature.client.call('applySource', { spec: aSourceSpec({ name: 'pinned_source' }) });
    const spec = aFeatureSetSpec({ name: 'pinned', source: { name: 'pinned_source', version: 0 } });
    const first = await feature.client.call('applyFeatureSet', { spec });
    await feature.client.call('applySource', { spec: aSourceSpec({ name: 'pinned_source', description: 'version 2' }) });

    const again = await feature.client.call('applyFeatureSet', { spec });
    const next = await feature.client.call('applyFeatureSet', { spec: { ...spec, version: 2 } });

    expect(again).toEqual({ ...first, created: false });
    expect(first.featureSet?.spec?.source).toEqual({ name: 'pinned_source', version: 1 });
    expect(next.featureSet?.spec?.source).toEqual({ name: 'pinned_source', version: 2 });
    expect(next.featureSet?.contractDigest).not.toBe(first.featureSet?.contractDigest);
  });

  it('answers NOT_FOUND for an unknown source, source version or feature set', async () => {
    const noSource = await failureOf(feature.client.call('applyFeatureSet', { spec: aFeatureSetSpec({ name: 'orphan', source: { name: 'no_such_source', version: 0 } }) }));
    const noSourceVersion = await failureOf(feature.client.call('applyFeatureSet', { spec: aFeatureSetSpec({ name: 'orphan', source: { name: 'payments', version: 9 } }) }));
    const noFeatureSet = await failureOf(feature.client.call('getFeatureSet', { featureSet: { name: 'no_such_set', version: 0 } }));
    const noVersion = await failureOf(feature.client.call('getFeatureSet', { featureSet: { name: 'registered', version: 99 } }));

    expect([noSource.code, noSourceVersion.code, noFeatureSet.code, noVersion.code]).toEqual([status.NOT_FOUND, status.NOT_FOUND, status.NOT_FOUND, status.NOT_FOUND]);
    expect(noSource.details).toContain('no_such_source');
    expect(noFeatureSet.details).toContain('no_such_set');
  });

  it('reports every invalid part of a spec at once, each with its field path', async () => {
    const spec = aFeatureSetSpec({
      name: 'invalid',
      version: 0,
      entity: { name: 'User', keyFields: ['country'] },
      ttl: { seconds: '1', nanos: 500_000_000 },
      features: [
        aFeature({ name: 'count_as_double', type: VALUE_TYPE_DOUBLE }),
        aFeature({ name: 'unknown_field', type: VALUE_TYPE_DOUBLE, aggregation: AGGREGATION_AVG, field: 'nope' }),
        aFeature({ name: 'min_of_string', type: VALUE_TYPE_STRING, aggregation: AGGREGATION_MIN, field: 'country' }),
        aFeature({ name: 'half_second', window: { seconds: '0', nanos: 500_000_000 } }),
        aFeature({ name: 'bad_filter', filter: 'amount => 3' }),
        aFeature({ name: 'filter_unknown', filter: 'merchant == "x"' }),
        aFeature({ name: 'wrong_default', defaultValue: { stringValue: 'zero' } }),
        aFeature({ name: 'wrong_default', aggregation: AGGREGATION_SUM, type: VALUE_TYPE_INT64, field: 'amount' }),
        aFeature({ name: 'no_aggregation', aggregation: AGGREGATION_UNSPECIFIED }),
        aFeature({ name: 'last_needs_field', type: VALUE_TYPE_TIMESTAMP, aggregation: AGGREGATION_LAST }),
        aFeature({ name: 'avg_is_double', type: VALUE_TYPE_INT64, aggregation: AGGREGATION_AVG, field: 'attempts' }),
        aFeature({ name: 'count_of_field', aggregation: AGGREGATION_COUNT, field: 'approved', filter: 'approved < true' }),
      ],
    });

    const failure = await failureOf(feature.client.call('applyFeatureSet', { spec }));

    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.fieldViolations.map((violation) => violation.field)).toEqual([
      'spec.version',
      'spec.entity.name',
      'spec.ttl',
      'spec.entity.key_fields[0]',
      'spec.features[0].type',
      'spec.features[1].field',
      'spec.features[2].field',
      'spec.features[3].window',
      'spec.features[4].filter',
      'spec.features[5].filter',
      'spec.features[6].default_value',
      'spec.features[7].name',
      'spec.features[7].type',
      'spec.features[8].aggregation',
      'spec.features[9].field',
      'spec.features[10].type',
      'spec.features[11].filter',
    ]);
    const described = Object.fromEntries(failure.fieldViolations.map((violation) => [violation.field, violation.description]));
    expect(described['spec.features[0].type']).toBe('must be INT64 for COUNT, got DOUBLE');
    expect(described['spec.features[2].field']).toContain('MIN/MAX over STRING, BOOL and TIMESTAMP fields are not supported');
    expect(described['spec.features[4].filter']).toContain('column 8');
    expect(described['spec.features[5].filter']).toContain('unknown field "merchant"');
    expect(described['spec.features[7].type']).toBe('must be DOUBLE for SUM of DOUBLE field "amount", got INT64');
    expect(described['spec.features[9].field']).toBe('required for LAST');
  });

  it('refuses a spec without source or features with INVALID_ARGUMENT', async () => {
    const failure = await failureOf(feature.client.call('applyFeatureSet', { spec: { name: 'empty', version: 1 } }));

    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.fieldViolations.map((violation) => violation.field)).toEqual(['spec.entity', 'spec.source', 'spec.features']);
  });

  it('lists versions by name then version descending, with name, owner and latest_only filters and paging', async () => {
    for (const [name, version, owner] of [
      ['list_b', 1, 'alice'],
      ['list_a', 1, 'bob'],
      ['list_b', 2, 'alice'],
      ['list_a', 2, 'alice'],
      ['list_b', 3, 'bob'],
    ] as const) {
      await feature.client.call('applyFeatureSet', { spec: aFeatureSetSpec({ name, version, owner }) });
    }
    const listAll = async (request: { name?: string; owner?: string; latestOnly?: boolean }): Promise<string[]> => {
      const labels: string[] = [];
      let pageToken = '';
      do {
        const response = await feature.client.call('listFeatureSets', { ...request, page: { pageSize: 2, pageToken } });
        labels.push(...response.featureSets.map((set) => `${set.spec?.name}:${set.spec?.version}`));
        pageToken = response.page?.nextPageToken ?? '';
      } while (pageToken !== '');
      return labels.filter((label) => label.startsWith('list_'));
    };

    expect(await listAll({})).toEqual(['list_a:2', 'list_a:1', 'list_b:3', 'list_b:2', 'list_b:1']);
    expect(await listAll({ name: 'list_b' })).toEqual(['list_b:3', 'list_b:2', 'list_b:1']);
    expect(await listAll({ owner: 'alice' })).toEqual(['list_a:2', 'list_b:2', 'list_b:1']);
    expect(await listAll({ latestOnly: true })).toEqual(['list_a:2', 'list_b:3']);
    expect(await listAll({ owner: 'bob', latestOnly: true })).toEqual(['list_b:3']);
    const first = await feature.client.call('listFeatureSets', { name: 'list_b', page: { pageSize: 1 } });
    expect((await failureOf(feature.client.call('listFeatureSets', { name: 'list_a', page: { pageSize: 1, pageToken: first.page?.nextPageToken ?? '' } }))).code).toBe(status.INVALID_ARGUMENT);
  });
});

// The definitions of examples/flights apply cleanly and their contract digests are stable.
describe.each(ENGINES)('examples/flights on %s', (engine) => {
  let feature: TestFeatureService;

  beforeAll(async () => {
    feature = await startTestFeatureService(engine);
  });

  afterAll(async () => {
    await feature?.stop();
  });

  it('applies the flights source and both feature sets, and re-applying them changes nothing', async () => {
    const source = await feature.client.call('applySource', { spec: flightsExample('flights.source.json') });
    const airports = await feature.client.call('applyFeatureSet', { spec: flightsExample('airport_delay_stats.v1.json') });
    const routes = await feature.client.call('applyFeatureSet', { spec: flightsExample('route_stats.v1.json') });

    const sourceAgain = await feature.client.call('applySource', { spec: flightsExample('flights.source.json') });
    const airportsAgain = await feature.client.call('applyFeatureSet', { spec: flightsExample('airport_delay_stats.v1.json') });
    const routesAgain = await feature.client.call('applyFeatureSet', { spec: flightsExample('route_stats.v1.json') });

    expect([source.changed, airports.created, routes.created]).toEqual([true, true, true]);
    expect([sourceAgain.changed, airportsAgain.created, routesAgain.created]).toEqual([false, false, false]);
    expect(sourceAgain.source?.digest).toBe(source.source?.digest);
    expect(airportsAgain.featureSet?.contractDigest).toBe(airports.featureSet?.contractDigest);
    expect(routesAgain.featureSet?.contractDigest).toBe(routes.featureSet?.contractDigest);
    expect(airports.featureSet?.spec?.entity).toEqual({ name: 'origin_airport', keyFields: ['origin'] });
    expect(routes.featureSet?.spec?.entity).toEqual({ name: 'route', keyFields: ['origin', 'destination'] });
    expect(airports.featureSet?.spec?.features.map((f) => f.name)).toEqual(['flights_1d', 'delayed_flights_1d', 'avg_delay_1d', 'flights_7d', 'delayed_flights_7d', 'avg_delay_7d']);
    expect(routes.featureSet?.spec?.features.map((f) => [f.name, f.type])).toEqual([
      ['flights_7d', 'VALUE_TYPE_INT64'],
      ['avg_delay_7d', 'VALUE_TYPE_DOUBLE'],
      ['avg_distance', 'VALUE_TYPE_DOUBLE'],
      ['last_delay', 'VALUE_TYPE_INT64'],
    ]);
  });
});

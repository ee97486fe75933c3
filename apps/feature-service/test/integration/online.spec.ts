import { Metadata, status } from '@grpc/grpc-js';
import type { commonV1, featuresV1 } from '@strata/contracts';
import { failureOf } from '@strata/testing';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';
import {
  applyRouteFeatureSets,
  DAY,
  entityOf,
  expectedFeature,
  generateRouteEvents,
  HOUR,
  insertEvents,
  MINUTE,
  ORIGIN_STATS,
  ROUTE_STATS,
  type RouteEvent,
  T0,
} from '../fixtures/route-events';

const END = T0 + 4 * DAY;
const TTL_MS = 2 * HOUR;

const timestamp = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
const msOf = (value: { seconds: string; nanos: number } | null | undefined) => (value === null || value === undefined ? undefined : Number(value.seconds) * 1000 + Math.floor(value.nanos / 1_000_000));

function scalarOf(value: commonV1.Value | null | undefined): number | string | boolean | null {
  if (value === undefined || value === null) return null;
  if (value.doubleValue !== undefined && value.doubleValue !== null) return value.doubleValue;
  if (value.int64Value !== undefined && value.int64Value !== null) return Number(value.int64Value);
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  return null;
}

function defaultOf(spec: featuresV1.FeatureSetSpec, name: string): number | string | boolean | null {
  const feature = spec.features.find((candidate) => candidate.name === name);
  return feature?.defaultValue ? scalarOf(feature.defaultValue) : null;
}

/** Asserts one served value against the reference evaluation at `at` (status served at `servedAt`). */
function expectServed(served: featuresV1.FeatureValue, events: readonly RouteEvent[], spec: featuresV1.FeatureSetSpec, entity: string, at: number, servedAt: number): string {
  const expected = expectedFeature(events, spec, served.name, entity, at);
  const context = `${spec.name}.${served.name} of ${entity} at ${new Date(at).toISOString()}`;
  if (expected.value === null) {
    const fallback = defaultOf(spec, served.name);
    if (fallback !== null) {
      expect({ context, status: served.status, value: scalarOf(served.value) }).toEqual({ context, status: 'FEATURE_STATUS_DEFAULTED', value: fallback });
    } else {
      expect({ context, status: served.status, nullReason: served.value?.nullReason }).toEqual({ context, status: 'FEATURE_STATUS_MISSING', nullReason: expected.seen ? 'NULL_REASON_EMPTY_WINDOW' : 'NULL_REASON_MISSING' });
    }
    expect(served.eventTime ?? undefined).toBeUndefined();
    return String(served.status);
  }
  const actual = scalarOf(served.value);
  if (typeof expected.value === 'number') {
    expect(typeof actual).toBe('number');
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected.value));
    if (Math.abs((actual as number) - expected.value) > tolerance) expect({ context, actual }).toEqual({ context, actual: expected.value });
  } else {
    expect({ context, actual }).toEqual({ context, actual: expected.value });
  }
  const eventTime = msOf(served.eventTime);
  expect({ context, eventTime }).toEqual({ context, eventTime: expected.eventTime });
  if (eventTime !== undefined) expect(eventTime).toBeLessThanOrEqual(at);
  const stale = expected.eventTime !== undefined && expected.eventTime < servedAt - TTL_MS;
  expect({ context, status: served.status }).toEqual({ context, status: stale ? 'FEATURE_STATUS_STALE' : 'FEATURE_STATUS_PRESENT' });
  return String(served.status);
}

describe.each(ENGINES)('GetOnlineFeatures (%s)', (engine) => {
  let service: TestFeatureService;
  const events = generateRouteEvents(400, 7);
  const routes = [...new Set(events.map((event) => entityOf(event, [])))].sort();
  const origins = [...new Set(events.map((event) => event.origin))].sort();

  const materialize = async (name: string, start?: number, end = END) => {
    const { job } = await service.client.call('materialize', { featureSet: { name, version: 1 }, start: start === undefined ? null : timestamp(start), end: timestamp(end) });
    const done = await service.client.waitForJob(job?.id ?? '');
    expect(done.status).toBe('JOB_STATUS_SUCCEEDED');
  };

  beforeAll(async () => {
    service = await startTestFeatureService(engine);
    await applyRouteFeatureSets(service.client);
    await insertEvents(service.prisma, events, 'online');
    await materialize('route_stats');
    await materialize('origin_stats');
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('serves as_of values equal to a straightforward evaluation over the raw events, window edges included', async () => {
    const statuses = new Set<string>();
    const instants = new Set<number>([T0 - 1, T0, END]);
    events.forEach((event, index) => {
      if (index % 13 !== 0) return;
      for (const offset of [0, -1, HOUR, HOUR - 1, DAY, DAY - 1, 3 * HOUR]) instants.add(event.at + offset);
    });
    const cases: [featuresV1.FeatureSetSpec, string[]][] = [
      [ROUTE_STATS, [...routes, 'nowhere|none']],
      [ORIGIN_STATS, [...origins, 'nowhere']],
    ];
    for (const [spec, entities] of cases) {
      for (const at of instants) {
        const response = await service.client.call('getOnlineFeatures', { featureSet: { name: spec.name, version: 1 }, entityIds: entities, asOf: timestamp(at) });
        expect(msOf(response.asOf)).toBe(at);
        expect(msOf(response.valuesAsOf)).toBe(at);
        expect(response.entities.map((entity) => entity.entityId)).toEqual(entities);
        for (const entity of response.entities) {
          expect(entity.features.map((feature) => feature.name)).toEqual(spec.features.map((feature) => feature.name));
          for (const served of entity.features) statuses.add(expectServed(served, events, spec, entity.entityId, at, at));
        }
      }
    }
    expect([...statuses].sort()).toEqual(['FEATURE_STATUS_DEFAULTED', 'FEATURE_STATUS_MISSING', 'FEATURE_STATUS_PRESENT', 'FEATURE_STATUS_STALE']);
  }, 180_000); // hundreds of as_of queries on PGlite: a hang guard that a loaded 2-core machine does not trip

  it('serves the online values (no as_of) as evaluated at materialized_until and says so in values_as_of, STALE against now', async () => {
    const { featureSet } = await service.client.call('getFeatureSet', { featureSet: { name: 'route_stats', version: 1 } });
    expect(msOf(featureSet?.materializedUntil)).toBe(END);
    const entities = [...routes, 'nowhere|none'];
    const response = await service.client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 1 }, entityIds: entities });
    const servedAt = msOf(response.asOf) ?? 0;
    expect(servedAt).toBeGreaterThan(END);
    expect(msOf(response.valuesAsOf)).toBe(END);
    const onlyUnknown = await service.client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 1 }, entityIds: ['nowhere|none'] });
    expect(msOf(onlyUnknown.valuesAsOf)).toBe(END);
    for (const entity of response.entities) {
      for (const served of entity.features) expectServed(served, events, ROUTE_STATS, entity.entityId, END, servedAt);
    }
    const unknown = response.entities.at(-1)?.features ?? [];
    expect(unknown.map((feature) => feature.status)).toEqual(ROUTE_STATS.features.map((feature) => (feature.defaultValue ? 'FEATURE_STATUS_DEFAULTED' : 'FEATURE_STATUS_MISSING')));
    expect(unknown.filter((feature) => feature.status === 'FEATURE_STATUS_MISSING').map((feature) => feature.value?.nullReason)).toEqual(['NULL_REASON_MISSING', 'NULL_REASON_MISSING', 'NULL_REASON_MISSING', 'NULL_REASON_MISSING', 'NULL_REASON_MISSING', 'NULL_REASON_MISSING']);
  });

  it('uses max_staleness instead of the TTL when given', async () => {
    const response = await service.client.call('getOnlineFeatures', {
      featureSet: { name: 'route_stats', version: 1 },
      entityIds: [routes[0] ?? ''],
      asOf: timestamp(END),
      maxStaleness: { seconds: String(10 * 365 * 86400), nanos: 0 },
      features: ['distance_max'],
    });
    expect(response.entities[0]?.features.map((feature) => feature.status)).toEqual(['FEATURE_STATUS_PRESENT']);
  });

  it('answers duplicates per occurrence and a subset of features in declared order, with the contract in the response and its metadata', async () => {
    const entity = routes[1] ?? '';
    const headers = new Promise<Metadata>((resolve, reject) => {
      const call = service.client.raw.getOnlineFeatures(
        { featureSet: { name: 'route_stats', version: 1 }, entityIds: [entity, 'nowhere|none', entity], features: ['distance_max', 'trips_1h'] },
        new Metadata(),
        { deadline: Date.now() + 60_000 },
        (error) => (error ? reject(error) : undefined),
      ) as unknown as { on(event: 'metadata', listener: (metadata: Metadata) => void): void };
      call.on('metadata', resolve);
    });
    const response = await service.client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 1 }, entityIds: [entity, 'nowhere|none', entity], features: ['distance_max', 'trips_1h'] });
    expect(response.entities.map((row) => row.entityId)).toEqual([entity, 'nowhere|none', entity]);
    expect(response.entities.map((row) => row.features.map((feature) => feature.name))).toEqual([
      ['trips_1h', 'distance_max'],
      ['trips_1h', 'distance_max'],
      ['trips_1h', 'distance_max'],
    ]);
    expect(response.entities[0]).toEqual(response.entities[2]);
    const { featureSet } = await service.client.call('getFeatureSet', { featureSet: { name: 'route_stats', version: 1 } });
    expect(response.contract).toEqual({ featureSet: { name: 'route_stats', version: 1 }, digest: featureSet?.contractDigest });
    expect((await headers).get('strata-feature-contract')).toEqual([`route_stats:1@${featureSet?.contractDigest}`]);
  });

  it('serves a feature set that was never materialized as MISSING or DEFAULTED', async () => {
    await service.client.call('applyFeatureSet', { spec: { ...ROUTE_STATS, version: 2, description: 'never materialized' } });
    const response = await service.client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 2 }, entityIds: [routes[0] ?? ''] });
    expect(response.entities[0]?.features.map((feature) => feature.status)).toEqual(ROUTE_STATS.features.map((feature) => (feature.defaultValue ? 'FEATURE_STATUS_DEFAULTED' : 'FEATURE_STATUS_MISSING')));
    expect(response.valuesAsOf ?? undefined).toBeUndefined();
  });

  it('rejects bad requests with the field and the limit', async () => {
    const featureSet = { name: 'route_stats', version: 1 };
    const none = await failureOf(service.client.call('getOnlineFeatures', { featureSet, entityIds: [] }));
    expect(none.code).toBe(status.INVALID_ARGUMENT);
    expect(none.fieldViolations.map((violation) => violation.field)).toEqual(['entity_ids']);
    const tooMany = await failureOf(service.client.call('getOnlineFeatures', { featureSet, entityIds: Array.from({ length: 1001 }, (_, index) => `e${index}`) }));
    expect(tooMany.code).toBe(status.INVALID_ARGUMENT);
    expect(tooMany.fieldViolations[0]?.description).toContain('1000');
    const tooLong = await failureOf(service.client.call('getOnlineFeatures', { featureSet, entityIds: ['SFO|LAX', 'x'.repeat(1025)] }));
    expect(tooLong.code).toBe(status.INVALID_ARGUMENT);
    expect(tooLong.fieldViolations).toEqual([{ field: 'entity_ids[1]', description: 'is 1025 bytes long; entity IDs are at most 1024 bytes (UTF-8)' }]);
    expect(tooLong.details).toContain('entity_ids[1]: is 1025 bytes long');
    const unknownFeature = await failureOf(service.client.call('getOnlineFeatures', { featureSet, entityIds: ['a'], features: ['trips_1h', 'no_such_feature'] }));
    expect(unknownFeature.code).toBe(status.INVALID_ARGUMENT);
    expect(unknownFeature.fieldViolations.map((violation) => violation.field)).toEqual(['features[1]']);
    const unpinned = await failureOf(service.client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 0 }, entityIds: ['a'] }));
    expect(unpinned.code).toBe(status.INVALID_ARGUMENT);
    expect(unpinned.fieldViolations.map((violation) => violation.field)).toEqual(['feature_set.version']);
    expect((await failureOf(service.client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 9 }, entityIds: ['a'] }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(service.client.call('getOnlineFeatures', { featureSet: { name: 'no_such_set', version: 1 }, entityIds: ['a'] }))).code).toBe(status.NOT_FOUND);
  });

  it('serves new values after a re-materialization with new events (the cache is invalidated)', async () => {
    const entity = routes[2] ?? '';
    const ask = async () => (await service.client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 1 }, entityIds: [entity], features: ['trips_1h', 'distance_max'] })).entities[0]?.features ?? [];
    const before = await ask();
    expect(await ask()).toEqual(before); // second read is served from the cache
    const [origin, destination] = entity.split('|') as [string, string];
    const late: RouteEvent[] = [
      { origin, destination, at: END - MINUTE, delay: 1, distance: 99_999, carrier: 'AA' },
      { origin, destination, at: END - 2 * MINUTE, delay: 2, distance: 5, carrier: 'UA' },
    ];
    await insertEvents(service.prisma, late, 'late');
    await materialize('route_stats', END - DAY, END);
    const after = await ask();
    const all = [...events, ...late];
    expect(scalarOf(after[0]?.value)).toBe(expectedFeature(all, ROUTE_STATS, 'trips_1h', entity, END).value);
    expect(scalarOf(after[1]?.value)).toBe(99_999);
    expect(after).not.toEqual(before);
  });
});

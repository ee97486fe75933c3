import { status } from '@grpc/grpc-js';
import type { featuresV1 } from '@strata/contracts';
import { failureOf } from '@strata/testing';
import { aDepartureLog, aDepartureSource, AIRPORTS, ingestMessagesOf, MINUTE, T0, timestampOf } from '../fixtures/departures';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';

const log = aDepartureLog(42, 80);
const maxDelayOf = (origin: string) => Math.max(...log.filter((event) => event.origin === origin).map((event) => event.delay));
// A threshold only the airport with the highest maximum delay passes, so the filtered feature is null for the others.
const [top, second] = [...AIRPORTS].sort((a, b) => maxDelayOf(b) - maxDelayOf(a));
const THRESHOLD = Math.round(((maxDelayOf(top!) + maxDelayOf(second!)) / 2) * 100) / 100;

function statsFeatureSet(name: string) {
  return {
    name,
    version: 1,
    entity: { name: 'airport', keyFields: [] },
    source: { name: 'stat_departures', version: 0 },
    features: [
      { name: 'departures', type: 'VALUE_TYPE_INT64', aggregation: 'AGGREGATION_COUNT' },
      { name: 'max_delay', type: 'VALUE_TYPE_DOUBLE', aggregation: 'AGGREGATION_MAX', field: 'delay' },
      { name: 'worst_delay', type: 'VALUE_TYPE_DOUBLE', aggregation: 'AGGREGATION_MAX', field: 'delay', filter: `delay > ${THRESHOLD}` },
      { name: 'last_origin', type: 'VALUE_TYPE_STRING', aggregation: 'AGGREGATION_LAST', field: 'origin' },
    ],
  } as unknown as featuresV1.FeatureSetSpec;
}

function msOf(timestamp: { seconds: string; nanos: number } | null | undefined): number {
  return Number(timestamp?.seconds) * 1000 + Math.floor((timestamp?.nanos ?? 0) / 1_000_000);
}

// GetFeatureStats over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each(ENGINES)('feature statistics on %s', (engine) => {
  let feature: TestFeatureService;

  beforeAll(async () => {
    feature = await startTestFeatureService(engine);
    await feature.client.call('applySource', { spec: aDepartureSource('stat_departures') });
    await feature.client.call('applyFeatureSet', { spec: statsFeatureSet('airport_stats') });
    await feature.client.call('applyFeatureSet', { spec: statsFeatureSet('never_materialized') });
    await feature.client.ingest(ingestMessagesOf('stat_departures', log));
    const { job } = await feature.client.call('materialize', { featureSet: { name: 'airport_stats', version: 1 }, start: timestampOf(T0), end: timestampOf(T0 + 361 * MINUTE) });
    expect((await feature.client.waitForJob(job!.id)).status).toBe('JOB_STATUS_SUCCEEDED');
  });

  afterAll(async () => {
    await feature?.stop();
  });

  it('computes count, null rate, min/max/mean and freshness per feature over the online values', async () => {
    const stats = await feature.client.call('getFeatureStats', { featureSet: { name: 'airport_stats', version: 1 } });
    const { featureSet } = await feature.client.call('getFeatureSet', { featureSet: { name: 'airport_stats', version: 1 } });
    const counts = AIRPORTS.map((origin) => log.filter((event) => event.origin === origin).length);
    const maxima = AIRPORTS.map(maxDelayOf);
    const computedAt = msOf(stats.computedAt);
    const byName = Object.fromEntries(stats.features.map((entry) => [entry.name, entry]));

    expect(stats.contract).toEqual({ featureSet: { name: 'airport_stats', version: 1 }, digest: featureSet?.contractDigest });
    expect(stats.entityCount).toBe(String(AIRPORTS.length));
    expect(stats.features.map((entry) => entry.name)).toEqual(['departures', 'max_delay', 'worst_delay', 'last_origin']);
    expect(byName['departures']).toMatchObject({ count: '3', nullRate: 0, min: Math.min(...counts), max: Math.max(...counts) });
    expect(byName['departures']?.mean).toBeCloseTo(counts.reduce((a, b) => a + b, 0) / 3, 9);
    expect(byName['max_delay']).toMatchObject({ count: '3', nullRate: 0, min: Math.min(...maxima), max: Math.max(...maxima) });
    expect(byName['max_delay']?.mean).toBeCloseTo(maxima.reduce((a, b) => a + b, 0) / 3, 9);
    expect(byName['worst_delay']).toMatchObject({ count: '3', min: maxDelayOf(top!), max: maxDelayOf(top!), mean: maxDelayOf(top!) });
    expect(byName['worst_delay']?.nullRate).toBeCloseTo(2 / 3, 12);
    expect(byName['last_origin']).toMatchObject({ count: '3', nullRate: 0 });
    expect(byName['last_origin']?.min ?? null).toBeNull();
    expect(byName['last_origin']?.mean ?? null).toBeNull();

    const latest = log[log.length - 1]!.at.getTime();
    expect(msOf(byName['departures']?.latestEventTime)).toBe(latest);
    expect(msOf(byName['departures']?.freshnessLag)).toBe(computedAt - latest);
    const worstLatest = Math.max(...log.filter((event) => event.delay > THRESHOLD).map((event) => event.at.getTime()));
    expect(msOf(byName['worst_delay']?.latestEventTime)).toBe(worstLatest);
    expect(msOf(byName['worst_delay']?.freshnessLag)).toBe(computedAt - worstLatest);
  });

  it('serves version 0 as the latest version', async () => {
    const stats = await feature.client.call('getFeatureStats', { featureSet: { name: 'airport_stats', version: 0 } });
    expect(stats.contract?.featureSet).toEqual({ name: 'airport_stats', version: 1 });
    expect(stats.entityCount).toBe('3');
  });

  it('reports empty statistics for a feature set never materialized', async () => {
    const stats = await feature.client.call('getFeatureStats', { featureSet: { name: 'never_materialized', version: 1 } });
    expect(stats.entityCount).toBe('0');
    for (const entry of stats.features) {
      expect(entry).toMatchObject({ count: '0', nullRate: 0, latestEventTime: null, freshnessLag: null });
      expect(entry.min ?? null).toBeNull();
    }
  });

  it('fails with NOT_FOUND for an unknown feature set', async () => {
    expect((await failureOf(feature.client.call('getFeatureStats', { featureSet: { name: 'nope', version: 1 } }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(feature.client.call('getFeatureStats', { featureSet: { name: 'airport_stats', version: 2 } }))).code).toBe(status.NOT_FOUND);
  });
});

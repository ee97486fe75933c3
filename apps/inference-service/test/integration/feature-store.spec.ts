import { buildFeaturePlan, FeatureAssembler, type FeaturePlan, type FeatureSetContract, FeatureStoreError, GrpcFeatureStore } from '../../src/features';
import { type ModelSignature } from '../../src/model-runtime';
import { type VersionMetadata } from '../../src/releases/model-registry';
import { MATERIALIZED_UNTIL, TestFeatureService } from '../fixtures/test-feature-service';

// GrpcFeatureStore and FeatureAssembler against a real feature-service process holding the
// flights example materialized up to 2001-04-01: present values and the contract digest, an
// unknown entity served with defaults, and the feature-service stopped (SIGSTOP), resumed and
// killed: every assembly resolves with flags and defaults instead of hanging.

jest.setTimeout(300_000);

const DEADLINE_MS = 2_000;
const REQUEST_TIME = new Date(Date.UTC(2001, 3, 1, 9, 15));
const KNOWN_ROUTE = 'PHX|LAS';
const WEEK_MS = 7 * 24 * 3600 * 1000;

const metadata: VersionMetadata = {
  modelName: 'flight-delay',
  version: 1,
  inputBindings: [{ input: 'features', features: ['route_stats.flights_7d', 'route_stats.avg_delay_7d', 'route_stats.avg_distance', 'distance', 'hour_of_day'] }],
  featureContracts: [{ name: 'route_stats', version: 1, digest: '' }],
  tags: {},
};
const signature: ModelSignature = {
  inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 5], unknownRank: false }],
  outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1], unknownRank: false }],
};

/** route_stats of one route evaluated at the end of the materialized range, straight from the file. */
function expectedRouteStats(route: string): [number, number, number] {
  const end = MATERIALIZED_UNTIL.getTime();
  const events = TestFeatureService.flights()
    .filter((flight) => `${flight.origin}|${flight.destination}` === route)
    .map((flight) => ({ ...flight, at: Date.parse(`${flight.date.replaceAll('/', '-').replace(' ', 'T')}:00Z`) }));
  const week = events.filter((event) => event.at > end - WEEK_MS && event.at <= end);
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  return [week.length, mean(week.map((event) => event.delay)), mean(events.map((event) => event.distance))];
}

let features: TestFeatureService;
let store: GrpcFeatureStore;
let assembler: FeatureAssembler;
let contract: FeatureSetContract;
let plan: FeaturePlan;

beforeAll(async () => {
  features = await TestFeatureService.start();
  store = new GrpcFeatureStore({ featureServiceAddress: features.grpcAddress });
  assembler = new FeatureAssembler(store, { deadlineMs: DEADLINE_MS, now: () => REQUEST_TIME });
  contract = await store.getFeatureSet({ name: 'route_stats', version: 1 }, { deadlineMs: 10_000 });
  plan = buildFeaturePlan(metadata, signature, new Map([[contract.name, contract]]));
});

afterAll(async () => {
  store?.onModuleDestroy();
  await features?.stop();
});

const rowsOf = (...entityIds: string[]) => entityIds.map((entityId) => ({ entityId, features: { distance: 256 } }));
const lenient = { strict: false, requiresFresh: false };

describe(GrpcFeatureStore.name, () => {
  it('reads the contract of a feature set version with its digest, types, defaults and no ttl', async () => {
    expect(contract).toEqual({
      name: 'route_stats',
      version: 1,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
      features: [
        { name: 'flights_7d', type: 'INT64', defaultValue: 0 },
        { name: 'avg_delay_7d', type: 'DOUBLE', defaultValue: null },
        { name: 'avg_distance', type: 'DOUBLE', defaultValue: null },
        { name: 'last_delay', type: 'INT64', defaultValue: null },
      ],
    });
    const online = await store.getOnlineFeatures({ featureSet: { name: 'route_stats', version: 1 }, entityIds: [KNOWN_ROUTE], features: ['avg_distance'] }, { deadlineMs: 10_000 });
    expect(online.contract).toEqual({ name: 'route_stats', version: 1, digest: contract.digest });
    expect(online.entities[0]?.features[0]).toMatchObject({ name: 'avg_distance', status: 'PRESENT', eventTime: expect.any(Date) as unknown });
  });

  it('names the feature set in NOT_FOUND and says when the address is not set', async () => {
    const missing = await store.getFeatureSet({ name: 'route_stats', version: 9 }, { deadlineMs: 10_000 }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(FeatureStoreError);
    expect(missing).toMatchObject({ reason: 'NOT_FOUND', message: expect.stringContaining('GetFeatureSet route_stats:9 failed') as unknown });
    const unset = new GrpcFeatureStore({ featureServiceAddress: undefined });
    await expect(unset.getOnlineFeatures({ featureSet: { name: 'route_stats', version: 1 }, entityIds: ['a'] }, { deadlineMs: 10 })).rejects.toMatchObject({
      reason: 'NOT_CONFIGURED',
      message: expect.stringContaining('FEATURE_SERVICE_ADDRESS is not set') as unknown,
    });
  });
});

describe(FeatureAssembler.name, () => {
  it('assembles present online values with the contract digest for a known route', async () => {
    const result = await assembler.assemble(plan, rowsOf(KNOWN_ROUTE), lenient);
    const [flights, delay, distance] = expectedRouteStats(KNOWN_ROUTE);
    expect(flights).toBeGreaterThan(0);
    expect(Array.from(result.inputs['features']?.data ?? [])).toEqual([flights, Math.fround(delay), Math.fround(distance), 256, 9]);
    expect(result.contracts).toEqual([{ name: 'route_stats', version: 1, digest: contract.digest }]);
    expect(result.degradation).toEqual({ featuresStale: false, featuresDefaulted: false, featuresMissing: false, featureFetchFailed: false, issues: [] });
  });

  it('flags an unknown entity: the contract default where there is one, NaN and features_missing elsewhere', async () => {
    const result = await assembler.assemble(plan, rowsOf(KNOWN_ROUTE, 'NOWHERE|NONE'), lenient);
    expect(Array.from(result.inputs['features']?.data ?? []).slice(5)).toEqual([0, NaN, NaN, 256, 9]);
    expect(result.degradation).toEqual({
      featuresStale: false,
      featuresDefaulted: true,
      featuresMissing: true,
      featureFetchFailed: false,
      issues: [
        { entityId: 'NOWHERE|NONE', feature: 'route_stats.flights_7d', status: 'DEFAULTED' },
        { entityId: 'NOWHERE|NONE', feature: 'route_stats.avg_delay_7d', status: 'MISSING' },
        { entityId: 'NOWHERE|NONE', feature: 'route_stats.avg_distance', status: 'MISSING' },
      ],
    });
  });

  it('answers with defaults when the feature-service is stopped, serves fresh values once it resumes, and defaults again once it is killed', async () => {
    const [flights, delay, distance] = expectedRouteStats(KNOWN_ROUTE);
    const fresh = [flights, Math.fround(delay), Math.fround(distance), 256, 9];
    const defaults = [0, NaN, NaN, 256, 9];
    const before = assembler.stats;

    features.process.child.kill('SIGSTOP');
    const stopped = await assembler.assemble(plan, rowsOf(KNOWN_ROUTE), lenient);
    expect(stopped.degradation).toMatchObject({ featureFetchFailed: true, featuresDefaulted: true, featuresMissing: true });
    expect(Array.from(stopped.inputs['features']?.data ?? [])).toEqual(defaults);
    expect(assembler.stats.timeouts).toBe(before.timeouts + 1);

    features.process.child.kill('SIGCONT');
    let resumed = await assembler.assemble(plan, rowsOf(KNOWN_ROUTE), lenient);
    for (let attempt = 0; attempt < 20 && resumed.degradation.featureFetchFailed; attempt++) resumed = await assembler.assemble(plan, rowsOf(KNOWN_ROUTE), lenient);
    expect(resumed.degradation.featureFetchFailed).toBe(false);
    expect(Array.from(resumed.inputs['features']?.data ?? [])).toEqual(fresh);

    await features.process.killHard();
    const killed = await assembler.assemble(plan, rowsOf(KNOWN_ROUTE), lenient);
    expect(killed.degradation).toMatchObject({ featureFetchFailed: true, featuresDefaulted: true });
    expect(Array.from(killed.inputs['features']?.data ?? [])).toEqual(defaults);
    await expect(assembler.assemble(plan, rowsOf(KNOWN_ROUTE), { strict: true, requiresFresh: false })).rejects.toMatchObject({ name: 'FreshFeaturesRequiredError' });
  });
});

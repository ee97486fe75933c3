import { type AssembleOptions, type AssemblyRow, FeatureAssembler, type FeatureFetchEvent, MAX_FEATURE_ISSUES } from './feature-assembler';
import { FreshFeaturesRequiredError, RowInputError } from './feature-assembler.errors';
import { buildFeaturePlan, type FeaturePlan } from './feature-plan';
import { aRouteStatsContract, aSignature, aVersionMetadata, contractsOf, FakeFeatureStore, ROUTE_DIGEST } from './features.fixtures';

// 2001-01-06 is a Saturday (day 6); 14:30 UTC.
const REQUEST_TIME = new Date(Date.UTC(2001, 0, 6, 14, 30));
const LENIENT: AssembleOptions = { strict: false, requiresFresh: false };

const aRow = (overrides: Partial<AssemblyRow> = {}): AssemblyRow => ({ entityId: 'LAX|SFO', features: { distance: 337 }, ...overrides });

const failureOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the assembly to fail');
};

describe(FeatureAssembler.name, () => {
  let store: FakeFeatureStore;
  let assembler: FeatureAssembler;
  let events: FeatureFetchEvent[];
  let plan: FeaturePlan;

  beforeEach(() => {
    store = new FakeFeatureStore();
    events = [];
    assembler = new FeatureAssembler(store, { deadlineMs: 50, now: () => REQUEST_TIME, onFetch: (event) => events.push(event) });
    plan = buildFeaturePlan(aVersionMetadata(), aSignature(), contractsOf(aRouteStatsContract()));
    store.values.set('LAX|SFO', { flights_7d: { value: 42, status: 'PRESENT' }, avg_delay_7d: { value: 7.5, status: 'PRESENT' }, avg_distance: { value: 337, status: 'PRESENT' } });
  });

  it('assembles present values, request-time and derived features in binding order with one fetch per feature set', async () => {
    const result = await assembler.assemble(plan, [aRow(), aRow({ features: { distance: 340, hour_of_day: 3 } }), aRow({ entityId: 'SEA|SFO' })], LENIENT);
    expect(result.inputs['features']?.shape).toEqual([3, 5]);
    expect(result.inputs['features']?.datatype).toBe('FP32');
    expect(Array.from(result.inputs['features']?.data ?? []).slice(0, 10)).toEqual([42, 7.5, 337, 337, 14, 42, 7.5, 337, 340, 3]);
    expect(result.contracts).toEqual([{ name: 'route_stats', version: 1, digest: ROUTE_DIGEST }]);
    expect(store.requests).toEqual([{ featureSet: { name: 'route_stats', version: 1 }, entityIds: ['LAX|SFO', 'SEA|SFO'], features: ['flights_7d', 'avg_delay_7d', 'avg_distance'] }]);
    expect(store.deadlines).toEqual([50]);
    expect(events.map((event) => event.outcome)).toEqual(['ok']);
    expect(result.featureFetchMs).toBeGreaterThanOrEqual(0);
  });

  it('derives day_of_week (UTC) and feeds an FP64 input', async () => {
    const metadata = aVersionMetadata({ inputBindings: [{ input: 'features', features: ['day_of_week', 'hour_of_day'] }], featureContracts: [] });
    const requestOnly = buildFeaturePlan(metadata, aSignature(2, 'FP64'), new Map());
    const result = await assembler.assemble(requestOnly, [{ entityId: '', features: {} }], LENIENT);
    expect(result.inputs['features']).toEqual({ datatype: 'FP64', shape: [1, 2], data: new Float64Array([6, 14]) });
    expect(store.requests).toEqual([]);
    expect(result.featureFetchMs).toBe(0);
  });

  it('flags stale, defaulted and missing values, turns BOOL into 1/0 and lists each issue once', async () => {
    const metadata = aVersionMetadata({ inputBindings: [{ input: 'features', features: ['route_stats.flights_7d', 'route_stats.avg_delay_7d', 'route_stats.avg_distance', 'route_stats.is_hub'] }] });
    const boolPlan = buildFeaturePlan(metadata, aSignature(4), contractsOf(aRouteStatsContract()));
    store.values.set('LAX|SFO', { flights_7d: { value: 3, status: 'STALE' }, avg_delay_7d: { value: null, status: 'MISSING' }, avg_distance: { value: 337, status: 'PRESENT' }, is_hub: { value: true, status: 'PRESENT' } });
    const result = await assembler.assemble(boolPlan, [aRow({ features: {} }), aRow({ entityId: 'NOWHERE', features: {} }), aRow({ features: {} })], LENIENT);
    expect(Array.from(result.inputs['features']?.data ?? [])).toEqual([3, NaN, 337, 1, 0, NaN, NaN, 0, 3, NaN, 337, 1]);
    expect(result.degradation).toEqual({
      featuresStale: true,
      featuresDefaulted: true,
      featuresMissing: true,
      featureFetchFailed: false,
      issues: [
        { entityId: 'LAX|SFO', feature: 'route_stats.flights_7d', status: 'STALE' },
        { entityId: 'LAX|SFO', feature: 'route_stats.avg_delay_7d', status: 'MISSING' },
        { entityId: 'NOWHERE', feature: 'route_stats.flights_7d', status: 'DEFAULTED' },
        { entityId: 'NOWHERE', feature: 'route_stats.avg_delay_7d', status: 'MISSING' },
        { entityId: 'NOWHERE', feature: 'route_stats.avg_distance', status: 'MISSING' },
        { entityId: 'NOWHERE', feature: 'route_stats.is_hub', status: 'DEFAULTED' },
      ],
    });
    expect(assembler.stats).toMatchObject({ fetches: 1, defaultedRows: 1, staleRows: 2, missingRows: 3 });
  });

  it('lets a caller value override a stored feature and skips the fetch when every stored feature is overridden', async () => {
    const overridden = { 'route_stats.flights_7d': 1, 'route_stats.avg_delay_7d': 2, 'route_stats.avg_distance': 3, distance: 4 };
    const result = await assembler.assemble(plan, [aRow({ entityId: '', features: overridden })], LENIENT);
    expect(Array.from(result.inputs['features']?.data ?? [])).toEqual([1, 2, 3, 4, 14]);
    expect(store.requests).toEqual([]);
    const partly = await assembler.assemble(plan, [aRow({ features: { 'route_stats.avg_distance': 999, distance: 4 } })], LENIENT);
    expect(Array.from(partly.inputs['features']?.data ?? [])).toEqual([42, 7.5, 999, 4, 14]);
    expect(store.requests).toHaveLength(1);
  });

  it('answers with contract defaults and feature_fetch_failed when the feature-service fails', async () => {
    store.mode = 'fail';
    const result = await assembler.assemble(plan, [aRow()], LENIENT);
    expect(Array.from(result.inputs['features']?.data ?? [])).toEqual([0, NaN, NaN, 337, 14]);
    expect(result.degradation).toMatchObject({ featureFetchFailed: true, featuresDefaulted: true, featuresMissing: true, featuresStale: false });
    expect(result.degradation.issues.map((issue) => issue.status)).toEqual(['DEFAULTED', 'MISSING', 'MISSING']);
    expect(assembler.stats).toMatchObject({ fetches: 1, failures: 1, timeouts: 0, defaultedRows: 1 });
    expect(events[0]).toMatchObject({ featureSet: 'route_stats', outcome: 'failed', error: 'connection refused' });
  });

  it('stops calling a feature-service that keeps failing, answers with defaults at once, and probes it again after a pause', async () => {
    let clock = 0;
    const guarded = new FeatureAssembler(store, { deadlineMs: 50, now: () => REQUEST_TIME, onFetch: (event) => events.push(event), breaker: { failureThreshold: 2, openMs: 1_000, now: () => clock } });
    store.mode = 'fail';
    for (let i = 0; i < 4; i += 1) expect((await guarded.assemble(plan, [aRow()], LENIENT)).degradation.featureFetchFailed).toBe(true);
    expect(store.requests).toHaveLength(2);
    expect(guarded.stats).toMatchObject({ fetches: 2, failures: 2, skipped: 2 });
    expect(events.map((event) => event.outcome)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
    store.mode = 'serve';
    clock = 1_000;
    const probed = await guarded.assemble(plan, [aRow()], LENIENT);
    expect(probed.degradation.featureFetchFailed).toBe(false);
    expect(Array.from(probed.inputs['features']?.data ?? []).slice(0, 3)).toEqual([42, 7.5, 337]);
    expect(store.requests).toHaveLength(3);
  });

  it('never waits past the deadline: a hung fetch resolves with defaults, counts a timeout and cancels the call', async () => {
    store.mode = 'hang';
    const result = await assembler.assemble(plan, [aRow()], LENIENT);
    expect(result.degradation).toMatchObject({ featureFetchFailed: true, featuresDefaulted: true });
    expect(Array.from(result.inputs['features']?.data ?? [])).toEqual([0, NaN, NaN, 337, 14]);
    expect(assembler.stats).toMatchObject({ fetches: 1, failures: 0, timeouts: 1 });
    expect(store.cancelledCalls).toBe(1);
    expect(events[0]?.outcome).toBe('timeout');
  });

  it('rejects rows that do not match the plan, naming the field', async () => {
    const cases: [AssemblyRow[], string, RegExp][] = [
      [[aRow(), aRow({ features: { distance: 1, speed: 3 } })], 'rows[1].features.speed', /unknown feature "speed": this model version takes request-time features "distance", "hour_of_day"/],
      [[aRow({ features: {} })], 'rows[0].features.distance', /missing request-time feature "distance"/],
      [[aRow({ features: { distance: 'far' as unknown as number } })], 'rows[0].features.distance', /expected a number or a boolean, got the string "far"/],
      [[aRow({ features: { distance: Number.POSITIVE_INFINITY } })], 'rows[0].features.distance', /expected a number or a boolean, got Infinity/],
      [[aRow({ features: { distance: Number.NaN } })], 'rows[0].features.distance', /expected a number or a boolean, got NaN/],
      [[aRow(), aRow({ entityId: '' })], 'rows[1].entity_id', /is empty, but stored features "route_stats.flights_7d"/],
    ];
    for (const [rows, field, message] of cases) {
      const error = await failureOf(assembler.assemble(plan, rows, LENIENT));
      expect(error).toBeInstanceOf(RowInputError);
      expect((error as RowInputError).field).toBe(field);
      expect(error.message).toMatch(message);
    }
    expect(store.requests).toEqual([]);
  });

  it('fails strict or fresh-only requests listing every stored feature that was not present', async () => {
    expect((await assembler.assemble(plan, [aRow()], { strict: true, requiresFresh: false })).degradation.issues).toEqual([]);
    const strict = await failureOf(assembler.assemble(plan, [aRow({ entityId: 'NOWHERE' })], { strict: true, requiresFresh: false }));
    expect(strict).toBeInstanceOf(FreshFeaturesRequiredError);
    expect((strict as FreshFeaturesRequiredError).violations.map((violation) => `${violation.feature}:${violation.status}`)).toEqual(['route_stats.flights_7d:DEFAULTED', 'route_stats.avg_delay_7d:MISSING', 'route_stats.avg_distance:MISSING']);
    expect(strict.message).toMatch(/^strict_features was requested, but 3 stored feature value\(s\) were not PRESENT: NOWHERE\/route_stats.flights_7d DEFAULTED/);
    store.mode = 'hang';
    const fresh = await failureOf(assembler.assemble(plan, [aRow()], { strict: false, requiresFresh: true }));
    expect((fresh as FreshFeaturesRequiredError).reason).toBe('REQUIRES_FRESH_FEATURES');
    expect((fresh as FreshFeaturesRequiredError).violations.every((violation) => violation.status === 'FETCH_FAILED')).toBe(true);
  });

  it('caps the issues at 100 and splits fetches above 1000 entities', async () => {
    const rows = Array.from({ length: 1500 }, (_, index) => aRow({ entityId: `E${index}` }));
    const result = await assembler.assemble(plan, rows, LENIENT);
    expect(result.degradation.issues).toHaveLength(MAX_FEATURE_ISSUES);
    expect(store.requests.map((request) => request.entityIds.length)).toEqual([1000, 500]);
    expect(assembler.stats).toMatchObject({ fetches: 1, defaultedRows: 1500, missingRows: 1500 });
  });

  it('passes max staleness through and returns nothing to assemble for a tensors-only plan', async () => {
    await assembler.assemble(plan, [aRow()], { ...LENIENT, maxStalenessMs: 60_000 });
    expect(store.requests[0]?.maxStalenessMs).toBe(60_000);
    const tensorsOnly = buildFeaturePlan(aVersionMetadata({ inputBindings: [] }), aSignature(), new Map());
    expect(await assembler.assemble(tensorsOnly, [{ entityId: '', features: {} }], LENIENT)).toEqual({
      inputs: {},
      contracts: [],
      degradation: { featuresStale: false, featuresDefaulted: false, featuresMissing: false, featureFetchFailed: false, issues: [] },
      featureFetchMs: 0,
    });
    expect((await failureOf(assembler.assemble(tensorsOnly, [aRow()], LENIENT))).message).toMatch(/rows\[0\].features.distance: this model version takes tensors only/);
  });
});

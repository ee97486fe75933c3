import { buildFeaturePlan, FeatureAssembler, type FeaturePlan, type FeatureSetContract, FeatureStoreError, GrpcFeatureStore } from '../../src/features';
import { type ModelSignature } from '../../src/model-runtime';
import { type VersionMetadata } from '../../src/releases/model-registry';
import { status } from '@grpc/grpc-js';
import { buildLinearModel } from '@strata/onnx';
import { failureOf, GrpcTestClient, startTestService, TestRegistry, type TestService } from '@strata/testing';
import { inferenceService } from '../../src/bootstrap';
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

  it('answers with defaults when the feature-service is stopped and serves fresh values once it resumes', async () => {
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

  });
});

describe('inference-service predicting from entity IDs (registry, feature-service and inference over gRPC)', () => {
  // flights_7d (default 0), the request-time distance and hour_of_day: a model whose output a test can recompute.
  const BINDING = ['route_stats.flights_7d', 'distance', 'hour_of_day'];
  const WEIGHTS = [0.01, 0.001, 0.1];
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  let registry: TestRegistry;
  let inference: TestService;
  let client: GrpcTestClient;

  interface Answer {
    modelVersion: number;
    outputs: { contents: { fp32Contents: number[] } }[];
    featureContract: { featureSet: { name: string; version: number }; digest: string } | null;
    degradation: { featuresDefaulted: boolean; featureFetchFailed: boolean; featuresMissing: boolean; featureIssues: { entityId: string; feature: string; status: string }[] };
    timings: { featureFetchUs: number };
  }
  const row = (entityId: string, extra: Record<string, object> = {}): object => ({ entityId, features: { distance: { doubleValue: 256 }, hour_of_day: { int64Value: '9' }, ...extra } });
  const predict = (rows: object[], more: object = {}): Promise<Answer> => client.call('predict', { model: { name: 'flight-delay', alias: 'production' }, rows, ...more });

  beforeAll(async () => {
    registry = await TestRegistry.start();
    await registry.createModel('flight-delay');
    const model = Buffer.from(buildLinearModel({ weights: WEIGHTS.map((weight) => [weight]), bias: [0], featureCount: 3, activation: 'sigmoid', inputName: 'features', outputName: 'probability' }));
    const version = await registry.register('flight-delay', model, {
      inputBindings: [{ input: 'features', features: BINDING }],
      lineage: { featureContracts: [{ featureSet: { name: 'route_stats', version: 1 }, digest: contract.digest }] },
    });
    inference = await startTestService(inferenceService, 'pglite', { REGISTRY_ADDRESS: registry.grpcAddress, FEATURE_SERVICE_ADDRESS: features.grpcAddress, FEATURE_FETCH_DEADLINE: '1s' });
    client = new GrpcTestClient('inferenceV1', 'InferenceService', inference.grpcAddress);
    await registry.setAlias('flight-delay', 'production', version);
    while (!(await predict([row(KNOWN_ROUTE)]).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  afterAll(async () => {
    client?.close();
    await inference?.stop();
    await registry?.stop();
  });

  it('assembles the input from online and request-time features, and returns the contract it used', async () => {
    const [flights] = expectedRouteStats(KNOWN_ROUTE);
    const answer = await predict([row(KNOWN_ROUTE), row('NOWHERE|NONE')]);
    expect(answer.outputs[0]?.contents.fp32Contents[0]).toBeCloseTo(sigmoid(WEIGHTS[0] * flights + WEIGHTS[1] * 256 + WEIGHTS[2] * 9), 6);
    expect(answer.outputs[0]?.contents.fp32Contents[1]).toBeCloseTo(sigmoid(WEIGHTS[1] * 256 + WEIGHTS[2] * 9), 6); // unknown route: flights_7d defaults to 0
    expect(answer.featureContract).toEqual({ featureSet: { name: 'route_stats', version: 1 }, digest: contract.digest });
    expect(answer.degradation).toMatchObject({ featuresDefaulted: true, featureFetchFailed: false, featureIssues: [{ entityId: 'NOWHERE|NONE', feature: 'route_stats.flights_7d', status: 'FEATURE_STATUS_DEFAULTED' }] });
    expect(answer.timings.featureFetchUs).toBeGreaterThan(0);
  });

  it('names what does not match the version\'s contract', async () => {
    const unknown = await failureOf(predict([row(KNOWN_ROUTE, { speed: { doubleValue: 1 } })]));
    expect(unknown.code).toBe(status.INVALID_ARGUMENT);
    expect(unknown.fieldViolations[0]?.field).toBe('rows[0].features.speed');
    const missing = await failureOf(predict([{ entityId: KNOWN_ROUTE, features: { hour_of_day: { int64Value: '9' } } }]));
    expect(missing.fieldViolations[0]?.field).toBe('rows[0].features.distance');
    const otherVersion = await failureOf(predict([row(KNOWN_ROUTE)], { featureSet: { name: 'route_stats', version: 2 } }));
    expect(otherVersion.code).toBe(status.FAILED_PRECONDITION);
    const both = await failureOf(predict([row(KNOWN_ROUTE)], { inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0, 0, 0] } }] }));
    expect(both.fieldViolations[0]?.field).toBe('inputs[features]');
  });

  it('refuses NaN and ±Infinity feature values and an entity ID over 1024 bytes before fetching, naming the field', async () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      const failure = await failureOf(predict([row(KNOWN_ROUTE), row(KNOWN_ROUTE, { distance: { doubleValue: value } })]));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([{ field: 'rows[1].features.distance', description: expect.stringContaining('feature values must be finite numbers') }]);
    }
    // A 1.5 MiB entity ID came back in feature_issues (once per stored feature): answers over the gRPC message limit.
    const huge = await failureOf(predict([row('x'.repeat(1.5 * 1024 * 1024))]));
    expect(huge.code).toBe(status.INVALID_ARGUMENT);
    expect(huge.fieldViolations).toEqual([{ field: 'rows[0].entity_id', description: 'is 1572864 bytes long; entity IDs are at most 1024 bytes (UTF-8)' }]);
    expect((await predict([row('x'.repeat(1024))])).degradation.featureIssues).toEqual([{ entityId: 'x'.repeat(1024), feature: 'route_stats.flights_7d', status: 'FEATURE_STATUS_DEFAULTED' }]);
  });

  it('keeps answering with features_defaulted when the feature-service is killed mid-load; strict requests fail instead', async () => {
    let failed = 0;
    const answers: { afterKill: boolean; answer: Answer }[] = [];
    let killed = false;
    let stop = false;
    const load = async (): Promise<void> => {
      while (!stop) {
        const afterKill = killed;
        await predict([row(KNOWN_ROUTE)]).then(
          (answer) => answers.push({ afterKill, answer }),
          () => (failed += 1),
        );
      }
    };
    const loops = [load(), load(), load(), load()];
    while (answers.length < 40) await new Promise((resolve) => setTimeout(resolve, 10));
    await features.process.killHard();
    killed = true;
    while (answers.filter((entry) => entry.afterKill).length < 40) await new Promise((resolve) => setTimeout(resolve, 10));
    stop = true;
    await Promise.all(loops);
    expect(failed).toBe(0);
    const before = answers.filter((entry) => !entry.afterKill).slice(0, 20);
    const after = answers.filter((entry) => entry.afterKill);
    expect(before.every((entry) => !entry.answer.degradation.featureFetchFailed)).toBe(true);
    expect(after.every((entry) => entry.answer.degradation.featureFetchFailed && entry.answer.degradation.featuresDefaulted)).toBe(true);
    expect(after[0]?.answer.outputs[0]?.contents.fp32Contents[0]).toBeCloseTo(sigmoid(WEIGHTS[1] * 256 + WEIGHTS[2] * 9), 6);
    const strict = await failureOf(predict([row(KNOWN_ROUTE)], { strictFeatures: true }));
    expect(strict.code).toBe(status.FAILED_PRECONDITION);
  });
});

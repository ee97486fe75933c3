import { Metadata } from '@grpc/grpc-js';
import { callExamples, ensureApiKey, FlightsQuickstart, PlatformClients, predictOverRest, type QuickstartOutcome, type RestPrediction } from '@strata/quickstart';
import { GrpcTestClient, PlatformProcesses } from '@strata/testing';
import { STRATA_SPAN_ATTRIBUTES, waitForTrace } from '@strata/trace-collector';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

// The whole platform as it is deployed: five services as separate processes (built output) on
// PostgreSQL, driven from outside over their public contracts only.
const run = promisify(execFile);
const examplesDir = path.resolve(__dirname, '../../../examples/flights');
const MODEL = 'flight-delay';

interface PredictBody {
  readonly model_version: number;
  readonly degradation: { readonly feature_fetch_failed: boolean; readonly features_defaulted: boolean };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `attempts`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, attempts = 120, pauseMs = 250): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(pauseMs);
  }
  throw new Error(`${what} did not happen${lastError === undefined ? '' : `: ${String(lastError)}`}`);
}

describe('Strata end to end (five processes on PostgreSQL)', () => {
  let platform: PlatformProcesses;
  let clients: PlatformClients;
  let outcome: QuickstartOutcome;
  let apiKey: string;
  let keyDir: string;
  const log: string[] = [];

  beforeAll(async () => {
    platform = await PlatformProcesses.start();
    clients = new PlatformClients(platform.addresses, { registryToken: platform.adminToken, gatewayAdminToken: platform.adminToken });
    keyDir = mkdtempSync(path.join(tmpdir(), 'strata-e2e-key-'));
  });

  afterAll(async () => {
    clients?.close();
    await platform?.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const quickstart = (): FlightsQuickstart =>
    new FlightsQuickstart(clients, {
      examplesDir,
      reporter: { step: (i, n, title) => log.push(`[${i}/${n}] ${title}`), progress: () => undefined, info: (text) => log.push(text) },
    });

  const predict = (): Promise<RestPrediction> => predictOverRest(platform.addresses.gatewayHttp, apiKey, MODEL);

  it('runs the flights pipeline to a served model: import, materialize, train, gate, promote, serve', async () => {
    outcome = await quickstart().run();
    expect(outcome).toMatchObject({ modelName: MODEL, version: 1, importedRows: 20_000, featureContract: 'route_stats@1', reused: [] });
    expect(outcome.metrics['auc']).toBeGreaterThan(0.55);
    expect(log).toContain('[7/7] wait until inference serves flight-delay v1');

    // A second run (a second `npm start`) finds everything and makes nothing new.
    const again = await quickstart().run();
    expect(again).toMatchObject({ version: 1, trainingJobId: outcome.trainingJobId, importedRows: 20_000 });
    expect(again.reused).toEqual(['import', 'materialize', 'training', 'promotion']);
    const { versions } = await clients.registry.call<{ versions: unknown[] }>('listVersions', { modelName: MODEL });
    expect(versions).toHaveLength(1);
    const { jobs } = await clients.features.call<{ jobs: unknown[] }>('listJobs', { kind: 'JOB_KIND_IMPORT' });
    expect(jobs).toHaveLength(1);
  });

  it('answers over REST, gRPC and the Open Inference Protocol with the request ID, model version and feature contract', async () => {
    const { key, created } = await ensureApiKey(clients, path.join(keyDir, 'key.json'), MODEL);
    expect(created).toBe(true);
    apiKey = key.secret;
    expect((await ensureApiKey(clients, path.join(keyDir, 'key.json'), MODEL)).created).toBe(false);

    // The first calls after start-up may be answered degraded (a cold connection to the
    // feature-service can miss inference's 100 ms feature deadline on a loaded machine); the
    // comparisons below are between full answers only.
    const rest = await eventually('a prediction with its features', async () => {
      const answer = await predict();
      return answer.status === 200 && !(answer.body as PredictBody).degradation.feature_fetch_failed ? answer : undefined;
    }, 40);
    expect(rest.status).toBe(200);
    expect(rest.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rest.modelVersion).toBe(`${MODEL}:1`);
    expect(rest.featureContract).toMatch(/^route_stats:1@sha256:[0-9a-f]{64}$/);
    expect(rest.traceId).toMatch(/^[0-9a-f]{32}$/);
    const probability = (rest.body as { outputs: { probability: number[][] } }).outputs.probability[0]?.[0];
    expect(probability).toBeGreaterThan(0);
    expect(probability).toBeLessThan(1);

    // The printed curl commands, run as printed.
    const examples = await callExamples(clients, { modelName: MODEL, version: 1, key: apiKey, protosDir: path.resolve(examplesDir, '../../protos') });
    const viaCurl = await eventually('the printed REST curl answering with its features', async () => {
      const body = JSON.parse((await run('bash', ['-c', examples.rest])).stdout) as PredictBody & { outputs: { probability: number[][] } };
      return body.degradation.feature_fetch_failed ? undefined : body;
    }, 40);
    expect(viaCurl.outputs.probability[0]?.[0]).toBeCloseTo(probability as number, 6);
    const viaOip = JSON.parse((await run('bash', ['-c', examples.openInference])).stdout) as { outputs: { name: string; data: number[] }[] };
    expect(viaOip.outputs[0]?.name).toBe('probability');
    expect(viaOip.outputs[0]?.data[0]).toBeGreaterThan(0);

    // gRPC: strata.gateway.v1 and the Open Inference Protocol, with the key in metadata.
    const metadata = new Metadata();
    metadata.set('x-api-key', apiKey);
    const gateway = new GrpcTestClient('gatewayV1', 'PredictionService', platform.addresses.gatewayGrpc);
    const oip = new GrpcTestClient('oipV1', 'GRPCInferenceService', platform.addresses.gatewayGrpc);
    try {
      const answer = await gateway.call<{ modelVersion: number; outputs: unknown }>('predict', {
        model: { name: MODEL },
        rows: [{ entityId: 'LAX|PHX', features: { distance: { doubleValue: 370 } } }],
      }, metadata);
      expect(answer.modelVersion).toBe(1);
      const tensor = JSON.parse(/-d '(.*)'$/m.exec(examples.openInference)?.[1] ?? '{}') as { inputs: { name: string; shape: number[]; data: number[] }[] };
      const input = tensor.inputs[0];
      const inferred = await oip.call<{ modelVersion: string; outputs: { name: string; contents: { fp32Contents: number[] } }[] }>('modelInfer', {
        modelName: MODEL,
        modelVersion: '1',
        inputs: [{ name: input?.name, datatype: 'FP32', shape: input?.shape.map(String), contents: { fp32Contents: input?.data } }],
      }, metadata);
      expect(inferred.modelVersion).toBe('1');
      expect(inferred.outputs[0]?.contents.fp32Contents[0]).toBeCloseTo(viaOip.outputs[0]?.data[0] as number, 5);
    } finally {
      gateway.close();
      oip.close();
    }
  });

  it('traces one request across gateway -> inference-service -> feature-service, received over OTLP', async () => {
    const rest = await predict();
    expect(rest.status).toBe(200);
    const services = (spans: readonly { serviceName: string }[]): Set<string> => new Set(spans.map((span) => span.serviceName));
    const trace = await waitForTrace(platform.traces.url, rest.requestId, {
      until: (result) => ['gateway', 'inference-service', 'feature-service'].every((name) => services(result.spans).has(name)),
    });
    expect(trace.traceIds).toEqual([rest.traceId]);
    expect([...services(trace.spans)].sort()).toEqual(['feature-service', 'gateway', 'inference-service']);
    for (const span of trace.spans) {
      const where = `${span.serviceName} ${span.name}`;
      expect({ where, requestId: span.attributes[STRATA_SPAN_ATTRIBUTES.requestId] }).toEqual({ where, requestId: rest.requestId });
      expect({ where, version: span.attributes[STRATA_SPAN_ATTRIBUTES.modelVersion] }).toEqual({ where, version: expect.stringMatching(/1$/) });
      expect({ where, contract: span.attributes[STRATA_SPAN_ATTRIBUTES.featureContractVersion] }).toEqual({ where, contract: expect.stringContaining('route_stats') });
    }
  });

  it('serves a second version as a 50/50 canary, then promotes it and rolls back', async () => {
    const spec = JSON.parse(readFileSync(path.join(examplesDir, 'flight-delay.gbdt.job.json'), 'utf8')) as { seed: number; gbdt: object };
    const { job } = await clients.training.call<{ job: { id: string } }>('submitJob', { spec: { ...spec, seed: 7, gbdt: { ...spec.gbdt, maxDepth: 4 } }, idempotencyKey: 'e2e:second-version' });
    const trained = await eventually('the second training job to finish', async () => {
      const { job: current } = await clients.training.call<{ job: { status: string; registeredVersion: number } }>('getJob', { id: job.id });
      if (current.status === 'JOB_STATUS_FAILED' || current.status === 'JOB_STATUS_CANCELLED') throw new Error(`training ${current.status}`);
      return current.status === 'JOB_STATUS_SUCCEEDED' ? current : undefined;
    }, 600);
    expect(trained.registeredVersion).toBe(2);

    await clients.registry.call('setAlias', { modelName: MODEL, alias: 'canary', version: 2, reason: 'e2e canary' });
    await clients.registry.call('setTrafficPolicy', { modelName: MODEL, policy: { splits: [{ alias: 'production', percent: 50 }, { alias: 'canary', percent: 50 }] }, reason: 'e2e 50/50' });
    const both = await eventually('both versions answering', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 24; i += 1) seen.add((await predict()).modelVersion);
      return seen.size === 2 ? seen : undefined;
    }, 40);
    expect([...both].sort()).toEqual([`${MODEL}:1`, `${MODEL}:2`]);

    // All traffic on production again, production moved to v2 through the gate, then rolled back.
    await clients.registry.call('setTrafficPolicy', { modelName: MODEL, policy: { splits: [{ alias: 'production', percent: 100 }] }, reason: 'e2e canary over' });
    await clients.registry.call('setAlias', { modelName: MODEL, alias: 'production', version: 2, expectedCurrentVersion: 1, reason: 'e2e promote v2' });
    await eventually('production answering with v2', async () => ((await onlyVersions(8)) === `${MODEL}:2` ? true : undefined));
    const rolledBack = await clients.registry.call<{ alias: { version: number } }>('rollbackAlias', { modelName: MODEL, alias: 'production', reason: 'e2e roll back' });
    expect(rolledBack.alias.version).toBe(1);
    await eventually('production answering with v1 again', async () => ((await onlyVersions(8)) === `${MODEL}:1` ? true : undefined));
  });

  it('keeps answering, degraded, while the feature-service is down, and recovers when it returns', async () => {
    await platform.stopService('feature-service');
    const degraded = await predict();
    expect(degraded.status).toBe(200);
    expect((degraded.body as PredictBody).degradation.feature_fetch_failed).toBe(true);

    await platform.startService('feature-service');
    const recovered = await eventually('predictions with features again', async () => {
      const answer = await predict();
      return answer.status === 200 && !(answer.body as PredictBody).degradation.feature_fetch_failed ? answer : undefined;
    });
    expect((recovered.body as PredictBody).degradation.features_defaulted).toBe(false);
  });

  /** The single version `count` predictions answered with, or undefined when they differ. */
  async function onlyVersions(count: number): Promise<string | undefined> {
    const seen = new Set<string>();
    for (let i = 0; i < count; i += 1) seen.add((await predict()).modelVersion);
    return seen.size === 1 ? [...seen][0] : undefined;
  }
});

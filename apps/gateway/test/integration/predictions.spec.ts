import { type ClientUnaryCall, Metadata, status } from '@grpc/grpc-js';
import type { gatewayV1 } from '@strata/contracts';
import { decodeStatusDetails, STATUS_DETAILS_KEY } from '@strata/service-runtime';
import {
  aLinearModel,
  bearer,
  buildServiceForTest,
  failureOf,
  GrpcTestClient,
  type ServiceBuild,
  type ServiceProcess,
  startServiceProcess,
  startTestService,
  type TestService,
  TestRegistry,
} from '@strata/testing';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gateway } from '../../src/bootstrap';

// The gateway's gRPC prediction API in front of a real inference-service process that serves
// what a real registry-service process released: auth, allow-lists, rate limits, request IDs,
// response metadata, and inference going away and coming back.

jest.setTimeout(240_000);

const ADMIN_TOKEN = 'gateway-admin-token';
const sha = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

let registry: TestRegistry;
let inferenceBuild: ServiceBuild;
let inference: ServiceProcess;
let inferenceDir: string;
let gatewayService: TestService;
let admin: GrpcTestClient;
let predictions: GrpcTestClient;
let version: number;

const predictRequest = (model = 'delays'): object => ({ model: { name: model }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0.5, 1, 2] } }] });
const withKey = (key: string, extra: Record<string, string> = {}): Metadata => {
  const metadata = new Metadata();
  metadata.set('x-api-key', key);
  for (const [name, value] of Object.entries(extra)) metadata.set(name, value);
  return metadata;
};
const createKey = async (request: Partial<gatewayV1.CreateApiKeyRequest>): Promise<string> =>
  (await admin.call<gatewayV1.CreateApiKeyResponse>('createApiKey', { allowedModels: [], description: '', ...request }, bearer(ADMIN_TOKEN))).secret;

interface Answer {
  modelName: string;
  modelVersion: number;
  timings: { totalUs: number; inferenceUs: number };
}

/** Predict with the response's initial metadata. */
function predictWithHeaders(metadata: Metadata, request: object = predictRequest()): Promise<{ answer: Answer; headers: Metadata }> {
  const raw = predictions.raw as unknown as Record<string, (request: object, metadata: Metadata, options: object, callback: (error: Error | null, response?: Answer) => void) => ClientUnaryCall>;
  let headers = new Metadata();
  return new Promise((resolve, reject) => {
    const call = raw['Predict']?.call(predictions.raw, request, metadata, { deadline: Date.now() + 10_000 }, (error, answer) => (error ? reject(error) : resolve({ answer: answer as Answer, headers })));
    call?.on('metadata', (received: Metadata) => (headers = received));
  });
}

beforeAll(async () => {
  [registry, inferenceBuild] = await Promise.all([TestRegistry.start(), buildServiceForTest('inference-service')]);
  await registry.createModel('delays');
  version = await registry.register('delays', aLinearModel(1));
  await registry.setAlias('delays', 'production', version);
  inferenceDir = mkdtempSync(path.join(tmpdir(), 'gateway-inference-'));
  inference = await startServiceProcess(inferenceBuild, { DATA_DIR: inferenceDir, REGISTRY_ADDRESS: registry.grpcAddress, LOG_LEVEL: 'warn' });
  gatewayService = await startTestService(gateway, 'pglite', { INFERENCE_ADDRESS: inference.grpcAddress, GATEWAY_ADMIN_TOKENS: `ops:admin:${sha(ADMIN_TOKEN)}` });
  admin = new GrpcTestClient('gatewayV1', 'ApiKeyAdminService', gatewayService.grpcAddress);
  predictions = new GrpcTestClient('gatewayV1', 'PredictionService', gatewayService.grpcAddress);
});

afterAll(async () => {
  admin?.close();
  predictions?.close();
  await gatewayService?.stop();
  await inference?.stop();
  await registry?.stop();
  await inferenceBuild?.remove();
  if (inferenceDir !== undefined) rmSync(inferenceDir, { recursive: true, force: true });
});

describe('gateway PredictionService (gRPC) in front of inference-service', () => {
  let key: string;

  beforeAll(async () => {
    key = await createKey({ name: 'checkout-web' });
    // inference loads the released version after it starts: wait until the gateway gets answers.
    while (!(await predictWithHeaders(withKey(key)).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('forwards a prediction and answers with the request ID, the served version and the gateway\'s total time', async () => {
    const { answer, headers } = await predictWithHeaders(withKey(key, { 'x-request-id': 'req-0001' }));
    expect(answer).toMatchObject({ modelName: 'delays', modelVersion: version });
    expect(headers.get('x-request-id')).toEqual(['req-0001']);
    expect(headers.get('strata-model-version')).toEqual([`delays:${version}`]);
    expect(answer.timings.totalUs).toBeGreaterThanOrEqual(answer.timings.inferenceUs);
    const assigned = await predictWithHeaders(withKey(key));
    expect(assigned.headers.get('x-request-id')[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts the key as a bearer token too, and forwards PredictBatch item by item', async () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${key}`);
    const { results } = await predictions.call<{ results: { response?: Answer; error?: { code: number } }[] }>('predictBatch', { requests: [predictRequest(), predictRequest('nope')] }, metadata);
    expect(results[0]?.response?.modelVersion).toBe(version);
    expect(results[1]?.error?.code).toBe(status.NOT_FOUND);
  });

  it('refuses a missing or unknown key, a model outside the key\'s allow-list and an invalid request ID', async () => {
    expect((await failureOf(predictions.call('predict', predictRequest()))).code).toBe(status.UNAUTHENTICATED);
    expect((await failureOf(predictions.call('predict', predictRequest(), withKey('sk_00000000_nope')))).code).toBe(status.UNAUTHENTICATED);
    const churnOnly = await createKey({ name: 'churn-only', allowedModels: ['churn'] });
    const denied = await failureOf(predictions.call('predict', predictRequest(), withKey(churnOnly)));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(denied.details).toContain('may not call model delays');
    const badId = await failureOf(predictions.call('predict', predictRequest(), withKey(key, { 'x-request-id': 'has space' })));
    expect(badId.code).toBe(status.INVALID_ARGUMENT);
    expect(badId.fieldViolations[0]?.field).toBe('x-request-id');
  });

  it('passes inference\'s own errors on with their details', async () => {
    const wrongShape = await failureOf(predictions.call('predict', { ...predictRequest(), inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '2'], contents: { fp32Contents: [1, 2] } }] }, withKey(key)));
    expect(wrongShape.code).toBe(status.INVALID_ARGUMENT);
    expect(wrongShape.fieldViolations[0]?.field).toBe('inputs[features]');
    expect((await failureOf(predictions.call('predict', predictRequest('nope'), withKey(key)))).code).toBe(status.NOT_FOUND);
  });

  it('enforces the key\'s rate limit with RESOURCE_EXHAUSTED and a retry delay', async () => {
    const slow = await createKey({ name: 'slow-client', rateLimit: { requestsPerSecond: 1, burst: 2 } });
    await predictions.call('predict', predictRequest(), withKey(slow));
    await predictions.call('predict', predictRequest(), withKey(slow));
    const limited = await new Promise<{ code: number; metadata: Metadata }>((resolve) => {
      const raw = predictions.raw as unknown as Record<string, (request: object, metadata: Metadata, callback: (error: (Error & { code: number; metadata: Metadata }) | null) => void) => void>;
      raw['Predict']?.call(predictions.raw, predictRequest(), withKey(slow), (error) => resolve(error ?? { code: 0, metadata: new Metadata() }));
    });
    expect(limited.code).toBe(status.RESOURCE_EXHAUSTED);
    const details = decodeStatusDetails(limited.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer);
    expect(details.retryDelayMs).toBeGreaterThan(0);
    expect(details.retryDelayMs).toBeLessThanOrEqual(1_000);
  });

  it('serves the Open Inference Protocol over gRPC: health open, the rest behind the key', async () => {
    const oip = new GrpcTestClient('oipV1', 'GRPCInferenceService', gatewayService.grpcAddress);
    try {
      expect(await oip.call('serverLive', {})).toEqual({ live: true });
      expect(await oip.call('serverReady', {})).toEqual({ ready: true });
      const infer = { modelName: 'delays', modelVersion: '', id: 'oip-1', inputs: [{ name: 'features', datatype: 'FP32', shape: ['1', '3'], contents: { fp32Contents: [0.5, 1, 2] } }], outputs: [] };
      expect((await failureOf(oip.call('modelInfer', infer))).code).toBe(status.UNAUTHENTICATED);
      const answer = await oip.call<{ modelName: string; modelVersion: string; id: string; outputs: { name: string; contents: { fp32Contents: number[] } }[] }>('modelInfer', infer, withKey(key));
      expect(answer).toMatchObject({ modelName: 'delays', modelVersion: String(version), id: 'oip-1' });
      expect(answer.outputs[0]?.contents.fp32Contents[0]).toBeCloseTo(1 / (1 + Math.exp(-(0.5 + 1 - 2))), 6);
      const metadata = await oip.call<{ name: string; platform: string; inputs: { name: string; datatype: string }[] }>('modelMetadata', { name: 'delays', version: '' }, withKey(key));
      expect(metadata).toMatchObject({ name: 'delays', platform: 'onnxruntime_onnx', inputs: [{ name: 'features', datatype: 'FP32' }] });
      const churnOnly = await createKey({ name: 'oip-churn-only', allowedModels: ['churn'] });
      expect((await failureOf(oip.call('modelReady', { name: 'delays', version: '' }, withKey(churnOnly)))).code).toBe(status.PERMISSION_DENIED);
    } finally {
      oip.close();
    }
  });

  it('answers UNAVAILABLE at once while inference is down, and serves again once it is back', async () => {
    const grpcPort = inference.grpcAddress.split(':')[1] as string;
    const httpPort = new URL(inference.httpUrl).port;
    await inference.stop();
    const failures: number[] = [];
    for (let i = 0; i < 20; i += 1) failures.push((await failureOf(predictions.call('predict', predictRequest(), withKey(key)))).code);
    expect(new Set(failures)).toEqual(new Set([status.UNAVAILABLE]));
    inference = await startServiceProcess(inferenceBuild, { DATA_DIR: inferenceDir, REGISTRY_ADDRESS: registry.grpcAddress, LOG_LEVEL: 'warn', GRPC_PORT: grpcPort, HTTP_PORT: httpPort });
    let served = false;
    for (let attempt = 0; attempt < 200 && !served; attempt += 1) {
      served = await predictWithHeaders(withKey(key)).then(() => true, () => false);
      if (!served) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served).toBe(true);
  });
});

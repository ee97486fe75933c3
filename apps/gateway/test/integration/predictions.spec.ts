import { type ClientUnaryCall, Metadata, status } from '@grpc/grpc-js';
import { decodeStatusDetails, STATUS_DETAILS_KEY } from '@strata/service-runtime';
import { failureOf, GrpcTestClient } from '@strata/testing';
import { GatewayPlatform } from '../fixtures/gateway-platform';

// The gateway's gRPC prediction API in front of a real inference-service process that serves
// what a real registry-service process released: auth, allow-lists, rate limits, request IDs,
// response metadata, and inference going away and coming back.

jest.setTimeout(240_000);

let platform: GatewayPlatform;
let predictions: GrpcTestClient;
let version: number;

const predictRequest = (model = 'delays'): object => ({ model: { name: model }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0.5, 1, 2] } }] });
const withKey = (key: string, extra: Record<string, string> = {}): Metadata => {
  const metadata = new Metadata();
  metadata.set('x-api-key', key);
  for (const [name, value] of Object.entries(extra)) metadata.set(name, value);
  return metadata;
};
const createKey = (request: Parameters<GatewayPlatform['createKey']>[0]): Promise<string> => platform.createKey(request);

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
  platform = await GatewayPlatform.start();
  version = platform.version;
  predictions = new GrpcTestClient('gatewayV1', 'PredictionService', platform.gateway.grpcAddress);
});

afterAll(async () => {
  predictions?.close();
  await platform?.stop();
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
    const oip = new GrpcTestClient('oipV1', 'GRPCInferenceService', platform.gateway.grpcAddress);
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
    await platform.stopInference();
    const failures: number[] = [];
    for (let i = 0; i < 20; i += 1) failures.push((await failureOf(predictions.call('predict', predictRequest(), withKey(key)))).code);
    expect(new Set(failures)).toEqual(new Set([status.UNAVAILABLE]));
    await platform.restartInference();
    let served = false;
    for (let attempt = 0; attempt < 200 && !served; attempt += 1) {
      served = await predictWithHeaders(withKey(key)).then(() => true, () => false);
      if (!served) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served).toBe(true);
  });
});

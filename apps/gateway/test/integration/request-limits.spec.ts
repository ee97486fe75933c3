import { Metadata, status } from '@grpc/grpc-js';
import { failureOf, GrpcTestClient } from '@strata/testing';
import { GatewayPlatform } from '../fixtures/gateway-platform';

// Bad numbers and oversized requests, over REST and gRPC, through the gateway to a real
// inference-service process (and to inference directly): NaN and ±Infinity (`1e400` parses as
// Infinity) are refused with the field, entity IDs and rows × features are bounded, and a
// request too large for the inference hop is 413, never the rate limit's 429.

jest.setTimeout(300_000);

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const ENTITY_OF_1_5_MIB = 'e'.repeat(1.5 * 1024 * 1024);

let platform: GatewayPlatform;
let key: string;
let gateway: GrpcTestClient;
let gatewayOip: GrpcTestClient;
let inference: GrpcTestClient;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

/** POSTs `raw` JSON text (JSON.stringify would write ±Infinity as null). */
async function post(urlPath: string, raw: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${platform.gateway.httpUrl}${urlPath}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers }, body: raw });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as Record<string, unknown> };
}

/** A 400 problem+json naming exactly `fields`, without a retry hint. */
function expectInvalid(answer: Answer, fields: string[], description: RegExp): void {
  expect({ status: answer.status, type: answer.json['type'], contentType: answer.headers.get('content-type') }).toEqual({ status: 400, type: 'https://strata.dev/problems/invalid-argument', contentType: PROBLEM_TYPE });
  const errors = answer.json['errors'] as { field: string; description: string }[];
  expect(errors.map((error) => error.field)).toEqual(fields);
  for (const error of errors) expect(error.description).toMatch(description);
  expect(answer.headers.get('retry-after')).toBeNull();
}

const withKey = (): Metadata => {
  const metadata = new Metadata();
  metadata.set('x-api-key', key);
  return metadata;
};
const tensorRequest = (fp32Contents: number[]): object => ({ model: { name: 'delays' }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents } }] });
const rowsRequest = (rows: object[]): object => ({ model: { name: 'delays' }, rows });
const oipRequest = (input: object, rawInputContents: Buffer[] = []): object => ({ modelName: 'delays', modelVersion: '', id: '', inputs: [{ name: 'features', shape: ['1', '3'], parameters: {}, ...input }], outputs: [], rawInputContents });

beforeAll(async () => {
  platform = await GatewayPlatform.start();
  key = await platform.createKey({ name: 'limits-client', rateLimit: { requestsPerSecond: 100_000, burst: 100_000 } });
  gateway = new GrpcTestClient('gatewayV1', 'PredictionService', platform.gateway.grpcAddress);
  gatewayOip = new GrpcTestClient('oipV1', 'GRPCInferenceService', platform.gateway.grpcAddress);
  inference = new GrpcTestClient('inferenceV1', 'InferenceService', platform.inference.grpcAddress);
  // inference loads the released version after it starts: wait until predictions are served.
  let served = false;
  for (let attempt = 0; attempt < 400 && !served; attempt += 1) {
    served = (await post('/v1/models/delays:predict', '{"inputs":{"features":[[0.5,1,2]]}}')).status === 200;
    if (!served) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!served) throw new Error('predictions never served');
});

afterAll(async () => {
  gateway?.close();
  gatewayOip?.close();
  inference?.close();
  await platform?.stop();
});

describe('non-finite numbers over REST (refused at the gateway, naming the JSON path)', () => {
  it.each(['1e400', '-1e400'])('refuses %s as a /v1 row feature value', async (number) => {
    const answer = await post('/v1/models/delays:predict', `{"rows":[{"entity_id":"SFO|LAX","features":{"distance":337}},{"entity_id":"SFO|JFK","features":{"distance":${number}}}]}`);
    expectInvalid(answer, ['rows[1].features.distance'], /feature values must be finite numbers.*send null for a missing value/);
  });

  it.each(['1e400', '-1e400'])('refuses %s in /v1 inputs, by name and as typed tensors', async (number) => {
    expectInvalid(await post('/v1/models/delays:predict', `{"inputs":{"features":[[0.5,1,2],[1,${number},2]]}}`), ['inputs.features[1][1]'], /FP32 elements must be finite numbers/);
    expectInvalid(await post('/v1/models/delays:predict', `{"inputs":[{"name":"features","datatype":"FP32","shape":[1,3],"data":[${number},1,2]}]}`), ['inputs[0].data[0]'], /FP32 elements must be finite numbers/);
  });

  it.each(['1e400', '-1e400', '"NaN"', '"Infinity"'])('refuses %s in Open Inference Protocol tensor data', async (element) => {
    const answer = await post('/v2/models/delays/infer', `{"inputs":[{"name":"features","shape":[1,3],"datatype":"FP32","data":[0.5,${element},2]}]}`);
    expectInvalid(answer, ['inputs[0].data[1]'], /FP32 elements must be finite numbers.*NaN, Infinity and -Infinity are refused/);
    expect(answer.json['error']).toEqual(answer.json['detail']);
    const fp64 = await post('/v2/models/delays/infer', `{"inputs":[{"name":"features","shape":[1,3],"datatype":"FP64","data":[[${element},1,2]]}]}`);
    expectInvalid(fp64, ['inputs[0].data[0][0]'], /FP64 elements must be finite numbers/);
  });
});

describe('non-finite numbers over gRPC (refused by inference, passed on by the gateway)', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses %s in a Predict tensor, naming the element', async (_, value) => {
    for (const client of [gateway, inference]) {
      const failure = await failureOf(client.call('predict', tensorRequest([0.5, value, 2]), withKey()));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([{ field: 'inputs[features].contents.fp32_contents[1]', description: expect.stringContaining('FP32 elements must be finite numbers') }]);
    }
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses %s as a row feature value, in Predict and in a PredictBatch item', async (_, value) => {
    const request = rowsRequest([{ entityId: 'SFO|LAX', features: { distance: { doubleValue: value } } }]);
    for (const client of [gateway, inference]) {
      const failure = await failureOf(client.call('predict', request, withKey()));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([{ field: 'rows[0].features.distance', description: expect.stringContaining('feature values must be finite numbers') }]);
    }
    const batch = await gateway.call<{ results: { error?: { code: number; fieldViolations: { field: string }[] } }[] }>('predictBatch', { requests: [tensorRequest([0.5, 1, 2]), request] }, withKey());
    expect(batch.results[0]?.error).toBeUndefined();
    expect(batch.results[1]?.error).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: [{ field: 'rows[0].features.distance' }] });
  });

  it('refuses NaN and ±Infinity in Open Inference Protocol ModelInfer (contents and raw_input_contents) at the gateway', async () => {
    const cases: [object, Buffer[], string][] = [
      [{ datatype: 'FP32', contents: { fp32Contents: [Number.NaN, 1, 2] } }, [], 'inputs[features].contents.fp32_contents[0]'],
      [{ datatype: 'FP32', contents: { fp32Contents: [1, 2, Number.POSITIVE_INFINITY] } }, [], 'inputs[features].contents.fp32_contents[2]'],
      [{ datatype: 'FP64', contents: { fp64Contents: [1, Number.NEGATIVE_INFINITY, 2] } }, [], 'inputs[features].contents.fp64_contents[1]'],
      [{ datatype: 'FP32' }, [Buffer.from(new Float32Array([1, Number.NaN, 2]).buffer)], 'inputs[features].raw_input_contents[1]'],
    ];
    for (const [input, raw, field] of cases) {
      const failure = await failureOf(gatewayOip.call('modelInfer', oipRequest(input, raw), withKey()));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([{ field, description: expect.stringMatching(/elements must be finite numbers/) }]);
    }
  });
});

describe('entity IDs and fan-out are bounded', () => {
  it('answers a 1.5 MiB entity ID with 400 naming the field and the limit, not 429', async () => {
    const answer = await post('/v1/models/delays:predict', JSON.stringify({ rows: [{ entity_id: ENTITY_OF_1_5_MIB, features: { distance: 337 } }] }));
    expectInvalid(answer, ['rows[0].entity_id'], /is 1572864 bytes long; entity IDs are at most 1024 bytes \(UTF-8\)/);
    for (const client of [gateway, inference]) {
      const failure = await failureOf(client.call('predict', rowsRequest([{ entityId: 'SFO|LAX', features: {} }, { entityId: ENTITY_OF_1_5_MIB, features: {} }]), withKey()));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([{ field: 'rows[1].entity_id', description: expect.stringContaining('at most 1024 bytes') }]);
    }
  });

  it('refuses more than 100,000 feature values in one request (rows × features) with 400 naming the limit', async () => {
    const features = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`f${index}`, index]));
    const rows = Array.from({ length: 1000 }, (_, index) => ({ entity_id: `e${index}`, features }));
    expectInvalid(await post('/v1/models/delays:predict', JSON.stringify({ rows })), ['rows'], /carry 101000 feature values; at most 100000 per request/);
    const wire = rows.map((row) => ({ entityId: row.entity_id, features: Object.fromEntries(Object.entries(row.features).map(([name, value]) => [name, { doubleValue: value }])) }));
    for (const client of [gateway, inference]) {
      const failure = await failureOf(client.call('predict', rowsRequest(wire), withKey()));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([{ field: 'rows', description: expect.stringContaining('at most 100000 per request') }]);
    }
  });
});

describe('a request too large for the inference hop', () => {
  it('is 413 request-too-large without Retry-After (not the rate limit\'s 429), and the gateway serves on', async () => {
    // 600,000 FP64 zeros: 1.2 MB of JSON (under the 4 MiB body limit), 4.8 MB as a gRPC message (over 4 MiB + 64 KiB).
    const data = `[${new Array<string>(600_000).fill('0').join(',')}]`;
    // The longest deadline: encoding and sending 4.8 MB must not run into the 1 s default on a busy machine.
    const answer = await post('/v2/models/delays/infer', `{"inputs":[{"name":"features","shape":[200000,3],"datatype":"FP64","data":${data}}]}`, { 'x-request-timeout-ms': '30000' });
    expect({ status: answer.status, type: answer.json['type'], retryAfter: answer.headers.get('retry-after') }).toEqual({ status: 413, type: 'https://strata.dev/problems/request-too-large', retryAfter: null });
    expect(answer.json['detail']).toMatch(/^the request is too large for the inference hop: [0-9]+ bytes as a gRPC message, at most 4259840; send fewer rows or smaller tensors/);
    expect(answer.json['error']).toEqual(answer.json['detail']);
    expect((await post('/v1/models/delays:predict', '{"inputs":{"features":[[0.5,1,2]]}}')).status).toBe(200);
  });
});

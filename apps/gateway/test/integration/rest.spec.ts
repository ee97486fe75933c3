import fc from 'fast-check';
import { GatewayPlatform } from '../fixtures/gateway-platform';

// The gateway's REST API (Strata predict + Open Inference Protocol REST) over real sockets, in
// front of a real inference-service process serving what a real registry-service released.

jest.setTimeout(300_000);

const MAX_BODY_BYTES = 2048;
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

let platform: GatewayPlatform;
let version: number;
let key: string;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

async function send(method: string, urlPath: string, options: { body?: unknown; raw?: string; headers?: Record<string, string>; apiKey?: string | null } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const apiKey = options.apiKey === undefined ? key : options.apiKey;
  if (apiKey !== null) headers['x-api-key'] = apiKey;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${platform.gateway.httpUrl}${urlPath}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (the docs page)
  }
  return { status: response.status, headers: response.headers, text, json };
}

const predictBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({ inputs: { features: [[0.5, 1, 2]] }, ...overrides });
const createKey = (request: Parameters<GatewayPlatform['createKey']>[0]): Promise<string> => platform.createKey(request);

/** Every error answer: problem+json with a stable type, the request ID (also as a header) and the path. */
function expectProblem(answer: Answer, status: number, reason: string): void {
  expect({ status: answer.status, type: answer.json['type'] }).toEqual({ status, type: `https://strata.dev/problems/${reason}` });
  expect(answer.headers.get('content-type')).toBe(PROBLEM_TYPE);
  expect(answer.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), instance: expect.stringMatching(/^\//), request_id: answer.headers.get('x-request-id') });
  expect(answer.text).not.toMatch(/\bat .*[/\\].*:[0-9]+/);
}

beforeAll(async () => {
  platform = await GatewayPlatform.start({ MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
  version = platform.version;
  key = await createKey({ name: 'rest-client', rateLimit: { requestsPerSecond: 100_000, burst: 100_000 } });
  // inference loads the released version after it starts: wait until predictions are served.
  let last = await send('POST', '/v1/models/delays:predict', { body: predictBody() });
  for (let attempt = 0; attempt < 400 && last.status !== 200; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await send('POST', '/v1/models/delays:predict', { body: predictBody() });
  }
  if (last.status !== 200) throw new Error(`predictions never served: ${last.status} ${last.text}`);
});

afterAll(async () => {
  await platform?.stop();
});

describe('POST /v1/models/{name}:predict', () => {
  it('predicts with inputs by name and answers with the request ID, the served version and nested outputs', async () => {
    const answer = await send('POST', '/v1/models/delays:predict', { body: predictBody(), headers: { 'x-request-id': 'rest-0001' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBe('rest-0001');
    expect(answer.headers.get('x-strata-model-version')).toBe(`delays:${version}`);
    expect(answer.json).toMatchObject({ model_name: 'delays', model_version: version, alias: 'production', request_id: 'rest-0001', feature_contract: null, degradation: { features_stale: false } });
    const probability = (answer.json['outputs'] as Record<string, number[][]>)['probability'];
    expect(probability).toHaveLength(1);
    // sigmoid(1·0.5 + 1 − 2) = sigmoid(-0.5)
    expect(probability?.[0]?.[0]).toBeCloseTo(1 / (1 + Math.exp(0.5)), 5);
    const timings = answer.json['timings'] as Record<string, number>;
    expect(timings['total_us']).toBeGreaterThanOrEqual(timings['inference_us'] as number);
    const assigned = await send('POST', '/v1/models/delays:predict', { body: predictBody({ version }) });
    expect(assigned.status).toBe(200);
    expect(assigned.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(assigned.json['request_id']).toBe(assigned.headers.get('x-request-id'));
  });

  it('takes typed tensors (OIP layout) and a bearer token too', async () => {
    const answer = await send('POST', '/v1/models/delays:predict', {
      apiKey: null,
      headers: { authorization: `Bearer ${key}` },
      body: { inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 3], data: [0.5, 1, 2, 0, 0, 0] }], alias: 'production' },
    });
    expect(answer.status).toBe(200);
    expect((answer.json['outputs'] as Record<string, unknown>)['probability']).toEqual([[expect.any(Number)], [0.5]]);
  });

  it('checks inputs against the model metadata before inference: every bad field listed', async () => {
    const answer = await send('POST', '/v1/models/delays:predict', { body: { inputs: { features: [[0.5, 'x', 2], [1, 2], 3], bogus: [1] } } });
    expectProblem(answer, 400, 'invalid-argument');
    const fields = (answer.json['errors'] as { field: string }[]).map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['inputs.features[0][1]', 'inputs.features[1]', 'inputs.features[2]', 'inputs.bogus']));
    const ragged = await send('POST', '/v1/models/delays:predict', { body: { inputs: [{ name: 'features', datatype: 'FP64', shape: [1, 3], data: [1, 2, 3] }] } });
    expectProblem(ragged, 400, 'invalid-argument');
    expect(ragged.json['errors']).toEqual([{ field: 'inputs[0].datatype', description: expect.stringContaining('FP32') }]);
  });

  it('refuses wrong types in the body with every bad field, and version together with alias', async () => {
    const answer = await send('POST', '/v1/models/delays:predict', { body: { rows: [{ entity_id: 7, features: { a: [] } }], strict_features: 'yes', colour: 'blue' } });
    expectProblem(answer, 400, 'invalid-argument');
    const fields = (answer.json['errors'] as { field: string }[]).map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['rows[0].entity_id', 'rows[0].features.a', 'strict_features', 'colour']));
    expectProblem(await send('POST', '/v1/models/delays:predict', { body: predictBody({ version: 1, alias: 'production' }) }), 400, 'invalid-argument');
  });

  it('passes inference\'s own refusal of rows on with its status and fields', async () => {
    // The linear model has no input bindings: inference refuses rows with INVALID_ARGUMENT on `rows`.
    const answer = await send('POST', '/v1/models/delays:predict', { body: { rows: [{ entity_id: 'user-1', features: { nope: 1.5 } }] } });
    expectProblem(answer, 400, 'invalid-argument');
    expect(answer.json['detail']).toContain('has no input bindings');
    expect(answer.json['errors']).toEqual([{ field: 'rows', description: expect.any(String) }]);
    expectProblem(await send('POST', '/v1/models/nope:predict', { body: { rows: [{ entity_id: 'x' }] } }), 404, 'not-found');
  });
});

describe('Open Inference Protocol REST', () => {
  it('answers live and ready without a key', async () => {
    expect(await send('GET', '/v2/health/live', { apiKey: null })).toMatchObject({ status: 200, json: { live: true } });
    expect(await send('GET', '/v2/health/ready', { apiKey: null })).toMatchObject({ status: 200, json: { ready: true } });
  });

  it('serves server and model metadata and model readiness as the protocol shapes them', async () => {
    expect((await send('GET', '/v2')).json).toEqual({ name: 'strata-inference', version: expect.any(String), extensions: [] });
    const metadata = await send('GET', '/v2/models/delays');
    expect(metadata.status).toBe(200);
    expect(metadata.json).toEqual({
      name: 'delays',
      versions: [String(version)],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 3] }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: expect.any(Array) }],
    });
    expect((await send('GET', `/v2/models/delays/versions/${version}`)).json).toMatchObject({ name: 'delays', inputs: [{ name: 'features' }] });
    expect(await send('GET', '/v2/models/delays/ready')).toMatchObject({ status: 200, json: { ready: true } });
    expect(await send('GET', `/v2/models/delays/versions/${version}/ready`)).toMatchObject({ status: 200, json: { ready: true } });
    expect(await send('GET', '/v2/models/delays/versions/99/ready')).toMatchObject({ status: 400, json: { ready: false } });
    const unknown = await send('GET', '/v2/models/nope');
    expectProblem(unknown, 404, 'not-found');
    expect(unknown.json['error']).toBe(unknown.json['detail']);
  });

  it('runs an inference request in the protocol\'s tensor JSON (nested data) and answers with its response layout', async () => {
    const request = { id: '42', inputs: [{ name: 'features', shape: [2, 3], datatype: 'FP32', data: [[0.5, 1, 2], [0, 0, 0]] }], outputs: [{ name: 'probability' }] };
    for (const urlPath of ['/v2/models/delays/infer', `/v2/models/delays/versions/${version}/infer`]) {
      const answer = await send('POST', urlPath, { body: request });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-strata-model-version')).toBe(`delays:${version}`);
      expect(answer.json).toEqual({ model_name: 'delays', model_version: String(version), id: '42', outputs: [{ name: 'probability', shape: [2, 1], datatype: 'FP32', data: [expect.any(Number), 0.5] }] });
    }
    const bad = await send('POST', '/v2/models/delays/infer', { body: { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 'two'] }] } });
    expectProblem(bad, 400, 'invalid-argument');
    expect(bad.json['error']).toEqual(expect.any(String));
    expect(bad.json['errors']).toEqual([{ field: 'inputs[0].data', description: expect.stringContaining('needs 3 elements') }]);
  });
});

describe('REST request hygiene', () => {
  it('answers 401 without or with an unknown key and 403 outside the key\'s allow-list', async () => {
    expectProblem(await send('POST', '/v1/models/delays:predict', { body: predictBody(), apiKey: null }), 401, 'unauthenticated');
    expectProblem(await send('POST', '/v2/models/delays/infer', { body: { inputs: [] }, apiKey: 'sk_00000000_nope' }), 401, 'unauthenticated');
    const churnOnly = await createKey({ name: 'rest-churn-only', allowedModels: ['churn'] });
    const denied = await send('POST', '/v1/models/delays:predict', { body: predictBody(), apiKey: churnOnly });
    expectProblem(denied, 403, 'permission-denied');
    expect(denied.json['detail']).toContain('may not call model delays');
    expectProblem(await send('GET', '/v2/models/delays', { apiKey: churnOnly }), 403, 'permission-denied');
  });

  it('answers 429 with Retry-After (whole seconds >= 1) when the key\'s rate limit is spent', async () => {
    const slow = await createKey({ name: 'rest-slow', rateLimit: { requestsPerSecond: 1, burst: 2 } });
    const infer = { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] };
    expect((await send('POST', '/v2/models/delays/infer', { body: infer, apiKey: slow })).status).toBe(200);
    expect((await send('POST', '/v2/models/delays/infer', { body: infer, apiKey: slow })).status).toBe(200);
    const limited = await send('POST', '/v2/models/delays/infer', { body: infer, apiKey: slow });
    expectProblem(limited, 429, 'resource-exhausted');
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
  });

  it('answers malformed JSON, other media types, oversized bodies and invalid headers with their own problem types', async () => {
    expectProblem(await send('POST', '/v1/models/delays:predict', { raw: '{"inputs": {' }), 400, 'malformed-json');
    expectProblem(await send('POST', '/v2/models/delays/infer', { raw: '{"__proto__": {"x": 1}}' }), 400, 'malformed-json');
    expectProblem(await send('POST', '/v1/models/delays:predict', { raw: 'inputs=1', headers: { 'content-type': 'text/csv' } }), 415, 'unsupported-media-type');
    const big = await send('POST', '/v1/models/delays:predict', { body: { inputs: { features: Array.from({ length: 400 }, () => [1.25, 2.5, 3.75]) } } });
    expectProblem(big, 413, 'body-too-large');
    const badId = await send('POST', '/v1/models/delays:predict', { body: predictBody(), headers: { 'x-request-id': 'has space' } });
    expectProblem(badId, 400, 'invalid-request-id');
    expect(badId.json['errors']).toEqual([{ field: 'x-request-id', description: expect.any(String) }]);
    expect(badId.headers.get('x-request-id')).not.toBe('has space');
    expectProblem(await send('POST', '/v1/models/delays:predict', { body: predictBody(), headers: { 'x-request-timeout-ms': '1.5s' } }), 400, 'invalid-request-timeout');
  });
});

describe('API documentation', () => {
  const operations = [
    ['post', '/v1/models/{name}:predict'],
    ['get', '/v2/health/live'],
    ['get', '/v2/health/ready'],
    ['get', '/v2'],
    ['get', '/v2/models/{name}'],
    ['get', '/v2/models/{name}/versions/{version}'],
    ['get', '/v2/models/{name}/ready'],
    ['get', '/v2/models/{name}/versions/{version}/ready'],
    ['post', '/v2/models/{name}/infer'],
    ['post', '/v2/models/{name}/versions/{version}/infer'],
    ['get', '/openapi.json'],
    ['get', '/docs'],
  ] as const;

  it('serves an OpenAPI document and a page listing every route, without a key', async () => {
    const document = await send('GET', '/openapi.json', { apiKey: null });
    expect(document.status).toBe(200);
    expect(document.json['openapi']).toBe('3.1.0');
    const paths = document.json['paths'] as Record<string, Record<string, { summary: string }>>;
    for (const [method, route] of operations) expect(paths[route]?.[method]?.summary).toEqual(expect.any(String));
    expect(Object.values(paths).reduce((count, methods) => count + Object.keys(methods).length, 0)).toBe(operations.length);
    const page = await send('GET', '/docs', { apiKey: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    for (const [method, route] of operations) expect(page.text).toContain(`<span class="method ${method}">${method}</span> <code>${route}</code>`);
  });
});

describe('random malformed bodies', () => {
  const INTERNAL_NAMES = /InvalidArgumentError|OipRequestError|ServiceError|UpstreamError|RestProblemError|SyntaxError|TypeError|RangeError|FST_ERR|node_modules|\.ts:[0-9]/;
  const notJson = fc.string({ maxLength: 60 }).filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });
  const notAnObject = fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)));
  const withUnknownMember = fc.tuple(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }), fc.jsonValue({ maxDepth: 2 })).map(([members, extra]) => ({ ...members, unknown_member_: extra }));
  const wrongTypes = fc.record({ inputs: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), rows: fc.jsonValue({ maxDepth: 2 }), outputs: fc.integer() });
  const brokenTensors = fc.record({
    inputs: fc.array(fc.record({ name: fc.jsonValue({ maxDepth: 1 }), shape: fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 3 }), datatype: fc.constantFrom('FP32', 'FP16', 'INT8', 'BOOL', 'nope', 7), data: fc.jsonValue({ maxDepth: 3 }) }), { minLength: 1, maxLength: 3 }),
    version: fc.oneof(fc.integer({ max: 0 }), fc.string()),
  });
  const body = fc.oneof(
    notJson.map((text) => ({ raw: text })),
    notAnObject.map((value) => ({ raw: JSON.stringify(value) })),
    withUnknownMember.map((value) => ({ raw: JSON.stringify(value) })),
    wrongTypes.map((value) => ({ raw: JSON.stringify(value) })),
    brokenTensors.map((value) => ({ raw: JSON.stringify(value) })),
  );

  it.each([
    ['/v1/models/delays:predict', 1],
    ['/v2/models/delays/infer', 2],
  ])('answers 5,000 random malformed bodies to %s with a 4xx problem+json and no internals', async (urlPath, seed) => {
    await fc.assert(
      fc.asyncProperty(body, async ({ raw }) => {
        const answer = await send('POST', urlPath as string, { raw });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expect(answer.headers.get('content-type')).toBe(PROBLEM_TYPE);
        expect(answer.json['request_id']).toBe(answer.headers.get('x-request-id'));
        expect(answer.text).not.toMatch(/\bat .*[/\\].*:[0-9]+/);
        expect(answer.text).not.toMatch(INTERNAL_NAMES);
      }),
      { seed: seed as number, numRuns: 5_000 },
    );
  });
});

describe('inference going away', () => {
  it('answers ready with 503 and Retry-After, and predictions with 503 problem+json', async () => {
    await platform.stopInference();
    const ready = await send('GET', '/v2/health/ready', { apiKey: null });
    expectProblem(ready, 503, 'unavailable');
    expect(ready.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(ready.json['error']).toEqual(expect.any(String));
    const predict = await send('POST', '/v1/models/delays:predict', { body: predictBody() });
    expectProblem(predict, 503, 'unavailable');
    expect(predict.text).not.toContain('127.0.0.1');
    expect((await send('GET', '/v2/health/live', { apiKey: null })).status).toBe(200);
  });
});

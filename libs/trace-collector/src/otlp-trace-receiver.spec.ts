import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { freePort } from '@strata/ports';
import { otlpTypes } from './otlp/otlp-protos';
import { OtlpTraceReceiver } from './otlp-trace-receiver';
import { renderTrace } from './render-trace';
import { fetchRecentRequests, fetchTrace, waitForTrace } from './trace-client';
import type { TraceQueryResult, TraceSpan } from './trace-span';

const REQUEST_ID = 'req-0192f000-aaaa';
/** Start of the SDK test's trace, ms since the epoch (explicit times keep the span order fixed). */
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** A tracer provider of one "service" exporting to the receiver over OTLP/HTTP. */
function aService(serviceName: string, exporter: ProtoTraceExporter | JsonTraceExporter): BasicTracerProvider {
  return new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: [new BatchSpanProcessor(exporter)] });
}

interface Sent {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** POSTs raw bytes to the receiver. */
function post(url: string, path: string, body: Buffer, headers: Record<string, string>): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** An OTLP JSON export with one span; `overrides` replace span fields. */
function aJsonExport(overrides: Record<string, unknown> = {}, service = 'feature-service'): Buffer {
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [
            {
              scope: { name: 'manual' },
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  parentSpanId: 'eee19b7ec3c1b173',
                  name: 'GetOnlineFeatures',
                  kind: 2,
                  startTimeUnixNano: '1544712660000000000',
                  endTimeUnixNano: '1544712661500000000',
                  attributes: [
                    { key: 'strata.request_id', value: { stringValue: 'json-req' } },
                    { key: 'rows', value: { intValue: '3' } },
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'ok', value: { boolValue: true } },
                    { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
                    { key: 'map', value: { kvlistValue: { values: [{ key: 'x', value: { doubleValue: 1.5 } }] } } },
                  ],
                  status: { code: 'STATUS_CODE_ERROR', message: 'store down' },
                  ...overrides,
                },
              ],
            },
          ],
        },
      ],
    }),
  );
}

describe(OtlpTraceReceiver.name, () => {
  let receiver: OtlpTraceReceiver;
  let url: string;

  beforeEach(async () => {
    receiver = new OtlpTraceReceiver({ maxBodyBytes: 64 * 1024 });
    ({ url } = await receiver.start(await freePort()));
  });

  afterEach(async () => {
    await receiver.stop();
  });

  it('receives a trace across two services from the OpenTelemetry SDK (protobuf and JSON exporters) and serves it by request ID', async () => {
    const gateway = aService('gateway', new ProtoTraceExporter({ url: `${url}/v1/traces` }));
    const inference = aService('inference-service', new JsonTraceExporter({ url: `${url}/v1/traces` }));
    try {
      const server = gateway.getTracer('test').startSpan('POST /v2/models/flights-delay/infer', { kind: SpanKind.SERVER, startTime: T0, attributes: { 'strata.request_id': REQUEST_ID, 'http.response.status_code': 200 } });
      const client = gateway.getTracer('test').startSpan('strata.inference.v1.InferenceService/Predict', { kind: SpanKind.CLIENT, startTime: T0 + 1 }, trace.setSpan(context.active(), server));
      const predict: Span = inference.getTracer('test').startSpan(
        'strata.inference.v1.InferenceService/Predict',
        {
          kind: SpanKind.SERVER,
          startTime: T0 + 2,
          attributes: { 'strata.request_id': REQUEST_ID, 'strata.model.name': 'flights-delay', 'strata.model.version': '3', 'strata.feature_contract.version': 'v2' },
        },
        trace.setSpan(context.active(), client),
      );
      predict.setStatus({ code: SpanStatusCode.ERROR, message: 'feature-service unavailable' });
      predict.end(T0 + 5);
      client.end(T0 + 6);
      server.end(T0 + 12.5);
      await Promise.all([gateway.forceFlush(), inference.forceFlush()]);

      const result = await fetchTrace(url, REQUEST_ID);

      const traceId = server.spanContext().traceId;
      expect(result).toMatchObject({ requestId: REQUEST_ID, traceIds: [traceId] });
      expect(result.spans.map((span) => [span.serviceName, span.name, span.kind])).toEqual([
        ['gateway', 'POST /v2/models/flights-delay/infer', 'SERVER'],
        ['gateway', 'strata.inference.v1.InferenceService/Predict', 'CLIENT'],
        ['inference-service', 'strata.inference.v1.InferenceService/Predict', 'SERVER'],
      ]);
      const [root, call, served] = result.spans as [TraceSpan, TraceSpan, TraceSpan];
      expect(root.parentSpanId).toBeUndefined();
      expect(root).toMatchObject({ traceId, spanId: server.spanContext().spanId, attributes: { 'strata.request_id': REQUEST_ID, 'http.response.status_code': 200 } });
      expect(call.parentSpanId).toBe(root.spanId);
      expect(served).toMatchObject({
        parentSpanId: call.spanId,
        status: { code: 'ERROR', message: 'feature-service unavailable' },
        attributes: { 'strata.model.name': 'flights-delay', 'strata.model.version': '3', 'strata.feature_contract.version': 'v2' },
      });
      expect([root.durationMs, call.durationMs, served.durationMs]).toEqual([12.5, 5, 3]);
      expect(served.startTimeUnixNano).toBe(`${T0 + 2}000000`);

      const byTraceId = await fetchTrace(url, traceId.toUpperCase());
      expect(byTraceId.spans.map((span) => span.spanId)).toEqual(result.spans.map((span) => span.spanId));

      expect(renderTrace(result.spans)).toBe(
        [
          `trace ${traceId}  request ${REQUEST_ID}`,
          '12.50 ms, 3 spans, 2 services (gateway, inference-service), started 2026-01-02T03:04:05.000Z, 1 error',
          'gateway POST /v2/models/flights-delay/infer [server]                              12.50 ms  +0.00 ms  request_id=req-0192f000-aaaa',
          '└─ gateway strata.inference.v1.InferenceService/Predict [client]                   5.00 ms  +1.00 ms',
          '   └─ inference-service strata.inference.v1.InferenceService/Predict [server]      3.00 ms  +2.00 ms  request_id=req-0192f000-aaaa model=flights-delay@3 feature_contract=v2  ERROR: feature-service unavailable',
          '',
        ].join('\n'),
      );
    } finally {
      await Promise.all([gateway.shutdown(), inference.shutdown()]);
    }
  });

  it('accepts gzip-compressed exports', async () => {
    const service = aService('gateway', new ProtoTraceExporter({ url: `${url}/v1/traces`, compression: CompressionAlgorithm.GZIP }));
    try {
      service.getTracer('test').startSpan('compressed', { attributes: { 'strata.request_id': 'gz' } }).end();
      await service.forceFlush();
    } finally {
      await service.shutdown();
    }

    expect((await fetchTrace(url, 'gz')).spans.map((span) => span.name)).toEqual(['compressed']);
    const gzipped = await post(url, '/v1/traces', gzipSync(aJsonExport()), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(gzipped.status).toBe(200);
  });

  it('answers an export with an empty ExportTraceServiceResponse in the request encoding', async () => {
    const json = await post(url, '/v1/traces', aJsonExport(), { 'content-type': 'application/json; charset=utf-8' });
    const { exportRequest } = otlpTypes();
    const proto = await post(url, '/v1/traces', Buffer.from(exportRequest.encode(exportRequest.fromObject({ resourceSpans: [] })).finish()), { 'content-type': 'application/x-protobuf' });

    expect(json).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(json.body.toString())).toEqual({});
    expect(proto).toMatchObject({ status: 200, contentType: 'application/x-protobuf' });
    expect(proto.body).toHaveLength(0);
  });

  it('normalizes OTLP JSON: hex IDs, enum names, int64 beyond 2^53, arrays and maps flattened', async () => {
    await post(url, '/v1/traces', aJsonExport(), { 'content-type': 'application/json' });

    const [span] = (await fetchTrace(url, 'json-req')).spans;
    expect(span).toEqual({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      name: 'GetOnlineFeatures',
      kind: 'SERVER',
      serviceName: 'feature-service',
      scopeName: 'manual',
      startTimeUnixNano: '1544712660000000000',
      endTimeUnixNano: '1544712661500000000',
      startTimeMs: 1544712660000,
      durationMs: 1500,
      status: { code: 'ERROR', message: 'store down' },
      attributes: { 'strata.request_id': 'json-req', rows: 3, big: '9007199254740993', ok: true, tags: '["a",2]', 'map.x': 1.5 },
    });
  });

  it('keeps the good spans of an export and reports the malformed ones as a partial success', async () => {
    const answer = await post(url, '/v1/traces', aJsonExport({ traceId: 'not-an-id' }), { 'content-type': 'application/json' });

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(/traceId is not 16 non-zero bytes/) } });
    expect(receiver.store.size).toBe(0);
  });

  it('refuses other content types with 415', async () => {
    const answer = await post(url, '/v1/traces', Buffer.from('hello'), { 'content-type': 'text/plain' });

    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.body.toString())).toEqual({ error: expect.stringMatching(/application\/x-protobuf or application\/json, got "text\/plain"/) });
  });

  it('refuses undecodable bodies with 400 and a google.rpc.Status', async () => {
    // field 1 (resource_spans), length-delimited, claiming far more bytes than follow
    const truncated = Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]);
    const proto = await post(url, '/v1/traces', truncated, { 'content-type': 'application/x-protobuf' });
    const json = await post(url, '/v1/traces', Buffer.from('{"resourceSpans": ['), { 'content-type': 'application/json' });
    const notGzip = await post(url, '/v1/traces', Buffer.from('plain'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });

    expect(proto.status).toBe(400);
    expect(otlpTypes().rpcStatus.toObject(otlpTypes().rpcStatus.decode(proto.body))).toEqual({ code: 3, message: expect.stringMatching(/not an ExportTraceServiceRequest/) });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body.toString())).toEqual({ code: 3, message: expect.stringMatching(/not JSON/) });
    expect(notGzip.status).toBe(400);
  });

  it('refuses bodies over the limit with 413, also when they only grow that large decompressed', async () => {
    const oversized = await post(url, '/v1/traces', Buffer.alloc(64 * 1024 + 1, 0x20), { 'content-type': 'application/json' });
    const bomb = await post(url, '/v1/traces', gzipSync(Buffer.alloc(256 * 1024, 0x20)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });

    expect(oversized.status).toBe(413);
    expect(bomb.status).toBe(413);
    expect(JSON.parse(bomb.body.toString())).toEqual({ code: 8, message: 'the export body is larger than 65536 bytes' });
  });

  it('lists recent requests newest first, and answers health, unknown traces and bad queries', async () => {
    await post(url, '/v1/traces', aJsonExport(), { 'content-type': 'application/json' });
    await post(
      url,
      '/v1/traces',
      aJsonExport({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', parentSpanId: '', startTimeUnixNano: '1544712670000000000', endTimeUnixNano: '1544712670002500000', attributes: [{ key: 'strata.request_id', value: { stringValue: 'newer' } }], status: {} }, 'gateway'),
      { 'content-type': 'application/json' },
    );

    const requests = await fetchRecentRequests(url, 20);
    expect(requests).toEqual([
      { requestId: 'newer', traceIds: ['0af7651916cd43dd8448eb211c80319c'], rootSpanName: 'GetOnlineFeatures', rootServiceName: 'gateway', startTime: '2018-12-13T14:51:10.000Z', startTimeUnixNano: '1544712670000000000', durationMs: 2.5, spanCount: 1, error: false },
      expect.objectContaining({ requestId: 'json-req', rootServiceName: 'feature-service', durationMs: 1500, error: true }),
    ]);
    expect(await fetchRecentRequests(url, 1)).toHaveLength(1);
    expect(await getJson(`${url}/healthz`)).toEqual({ status: 200, body: { status: 'ok', spans: 2 } });
    expect(await getJson(`${url}/api/traces/${'f'.repeat(32)}`)).toEqual({ status: 404, body: { error: `no spans of trace ${'f'.repeat(32)}` } });
    expect((await getJson(`${url}/api/traces/xyz`)).status).toBe(400);
    expect((await getJson(`${url}/api/traces`)).status).toBe(400);
    expect((await getJson(`${url}/api/requests?limit=0`)).status).toBe(400);
    expect((await getJson(`${url}/nope`)).status).toBe(404);
    expect(await fetchTrace(url, 'unknown-request')).toEqual({ traceIds: [], spans: [] });
  });

  it('waits for spans that arrive later', async () => {
    const waiting = waitForTrace(url, 'json-req', { intervalMs: 10, waitMs: 30_000, until: (result: TraceQueryResult) => result.spans.length === 1 });
    await post(url, '/v1/traces', aJsonExport(), { 'content-type': 'application/json' });

    expect((await waiting).spans).toHaveLength(1);
  });

  it('tells listeners about new spans only', async () => {
    const seen: string[] = [];
    const stop = receiver.onSpans((spans) => seen.push(...spans.map((span) => span.spanId)));
    await post(url, '/v1/traces', aJsonExport(), { 'content-type': 'application/json' });
    await post(url, '/v1/traces', aJsonExport(), { 'content-type': 'application/json' });
    stop();

    expect(seen).toEqual(['eee19b7ec3c1b174']);
    expect(receiver.store.size).toBe(1);
  });
});

describe(`${OtlpTraceReceiver.name} with a spool file`, () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'trace-spool-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('appends received spans to the file and loads them back after a restart', async () => {
    const spoolFile = join(directory, 'nested', 'spans.jsonl');
    const first = new OtlpTraceReceiver({ spoolFile });
    const { url } = await first.start(await freePort());
    try {
      await post(url, '/v1/traces', aJsonExport(), { 'content-type': 'application/json' });
    } finally {
      await first.stop();
    }
    expect((await readFile(spoolFile, 'utf8')).trim().split('\n')).toHaveLength(1);

    const second = new OtlpTraceReceiver({ spoolFile });
    const restarted = await second.start(await freePort());
    try {
      expect((await fetchTrace(restarted.url, 'json-req')).spans.map((span) => span.spanId)).toEqual(['eee19b7ec3c1b174']);
    } finally {
      await second.stop();
    }
  });

  it('rewrites the file with only the kept spans when it holds more, skipping broken lines', async () => {
    const spoolFile = join(directory, 'spans.jsonl');
    const writer = new OtlpTraceReceiver({ spoolFile });
    const { url } = await writer.start(await freePort());
    try {
      for (const spanId of ['0000000000000001', '0000000000000002', '0000000000000003']) await post(url, '/v1/traces', aJsonExport({ spanId }), { 'content-type': 'application/json' });
    } finally {
      await writer.stop();
    }
    await appendFile(spoolFile, '{"traceId": "cut sh');

    const reader = new OtlpTraceReceiver({ spoolFile, maxSpans: 2 });
    await reader.start(await freePort());
    try {
      expect(reader.store.all().map((span) => span.spanId)).toEqual(['0000000000000002', '0000000000000003']);
      const lines = (await readFile(spoolFile, 'utf8')).trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as TraceSpan).spanId)).toEqual(['0000000000000002', '0000000000000003']);
    } finally {
      await reader.stop();
    }
  });
});

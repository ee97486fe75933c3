import path from 'node:path';
import { compileForNode, type NodeBuild, workspaceRoot } from '../fixtures/compile-for-node';
import { freePort } from '@strata/ports';
import { sampleValue } from '../fixtures/prometheus-text';
import { type ReportedSpan, TRACE_SCENARIO_RESULT_MARKER, type TraceScenarioInput, type TraceScenarioResult } from '../fixtures/trace-scenario-result';

// OpenTelemetry patches @grpc/grpc-js through require hooks, which Jest's module registry
// bypasses (and Nest 12 is ESM, which Jest cannot require on Node 20). So the scenario is
// compiled with the project's swc build and runs in a plain `node` child process with the real
// instrumentation; it prints the finished spans, log lines, responses and metrics as JSON.
const RELAY = 'grpc.strata.test.v1.RelayService/Relay';
const ECHO = 'grpc.strata.test.v1.EchoService/Echo';
const STRATA_ATTRIBUTES = { 'strata.request_id': 'req-trace-1', 'strata.model.version': '7', 'strata.feature_contract.version': 'flight_features@3' };

async function runScenario(build: NodeBuild, input: TraceScenarioInput): Promise<TraceScenarioResult> {
  const stdout = await build.run('trace-scenario', [JSON.stringify(input)]);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(TRACE_SCENARIO_RESULT_MARKER));
  if (line === undefined) throw new Error(`the scenario printed no result:\n${stdout}`);
  return JSON.parse(line.slice(TRACE_SCENARIO_RESULT_MARKER.length)) as TraceScenarioResult;
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

describe('trace propagation between two Nest gRPC services', () => {
  let build: NodeBuild | undefined;
  let result: TraceScenarioResult;
  let traceSpans: ReportedSpan[];
  const spanOf = (name: string, kind: 'CLIENT' | 'SERVER') => only(traceSpans.filter((span) => span.name === name && span.kind === kind), `${kind} span ${name}`);

  beforeAll(async () => {
    build = await compileForNode();
    const protoPath = path.join(workspaceRoot, 'libs/observability/test/fixtures/echo.proto');
    result = await runScenario(build, { protoPath, relayPort: await freePort(), echoPort: await freePort() });
    const relayServer = only(
      result.spans.filter((span) => span.name === RELAY && span.kind === 'SERVER' && span.attributes['strata.request_id'] === 'req-trace-1'),
      'relay server span of req-trace-1',
    );
    traceSpans = result.spans.filter((span) => span.traceId === relayServer.traceId);
  }, 120_000);

  afterAll(async () => {
    await build?.remove();
  });

  it('keeps one trace id across the client and server spans of both services', () => {
    expect(traceSpans.map((span) => `${span.kind} ${span.name}`).sort()).toEqual([`CLIENT ${ECHO}`, `CLIENT ${RELAY}`, `SERVER ${ECHO}`, `SERVER ${RELAY}`]);
    expect(spanOf(RELAY, 'CLIENT').parentSpanId).toBeNull();
    expect(spanOf(RELAY, 'SERVER').parentSpanId).toBe(spanOf(RELAY, 'CLIENT').spanId);
    expect(spanOf(ECHO, 'CLIENT').parentSpanId).toBe(spanOf(RELAY, 'SERVER').spanId);
    expect(spanOf(ECHO, 'SERVER').parentSpanId).toBe(spanOf(ECHO, 'CLIENT').spanId);
  });

  it('puts the request id, model version and feature contract version on the server spans of A and B', () => {
    expect(spanOf(RELAY, 'SERVER').attributes).toMatchObject(STRATA_ATTRIBUTES);
    expect(spanOf(ECHO, 'SERVER').attributes).toMatchObject(STRATA_ATTRIBUTES);
  });

  it('sends traceparent, baggage and x-request-id to B, including values A set mid-request', () => {
    const echoed = (result.calls.relayWithId.response as { echoed: Record<string, string> }).echoed;
    expect(echoed['traceparentMetadata']).toBe(`00-${spanOf(ECHO, 'CLIENT').traceId}-${spanOf(ECHO, 'CLIENT').spanId}-01`);
    expect(echoed['baggageMetadata']?.split(',').sort()).toEqual(['strata.feature_contract=flight_features%403', 'strata.model_name=flights-delay', 'strata.model_version=7', 'strata.request_id=req-trace-1']);
    expect(echoed).toMatchObject({ requestIdMetadata: 'req-trace-1', requestId: 'req-trace-1', modelVersion: '7', featureContract: 'flight_features@3' });
  });

  it('writes log lines on both sides with the same trace_id and request_id', () => {
    const relayLine = only(result.logs.relay.filter((line) => line['msg'] === 'relaying to echo service' && line['request_id'] === 'req-trace-1'), 'relay log line');
    const echoLine = only(result.logs.echo.filter((line) => line['msg'] === 'echoing' && line['request_id'] === 'req-trace-1'), 'echo log line');
    const traceId = spanOf(RELAY, 'SERVER').traceId;
    expect(relayLine).toMatchObject({ service: 'relay-service', trace_id: traceId, span_id: spanOf(RELAY, 'SERVER').spanId, request_id: 'req-trace-1' });
    expect(echoLine).toMatchObject({ service: 'echo-service', trace_id: traceId, span_id: spanOf(ECHO, 'SERVER').spanId, request_id: 'req-trace-1', model_version: '7' });
  });

  it("writes Nest's own logs as JSON lines through the service logger", () => {
    expect(result.logs.relay).toContainEqual(expect.objectContaining({ service: 'relay-service', context: 'NestMicroservice', msg: 'Nest microservice successfully started' }));
  });

  it('returns the request id, model version and feature contract in the response metadata', () => {
    expect(result.calls.relayWithId.headers).toMatchObject({ 'x-request-id': 'req-trace-1', 'strata-model-version': '7', 'strata-feature-contract': 'flight_features@3' });
  });

  it('generates a request id when the caller sends none and carries it to B and back', () => {
    const { headers, response } = result.calls.relayWithoutId;
    const requestId = headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((response as { echoed: { requestId: string } }).echoed.requestId).toBe(requestId);
  });

  it('covers server-streaming handlers', () => {
    const { messages, headers } = result.calls.stream;
    expect(messages).toEqual([expect.objectContaining({ text: 'stream-1', requestId: 'req-stream-1' }), expect.objectContaining({ text: 'stream-2', requestId: 'req-stream-1' })]);
    expect(headers).toMatchObject({ 'x-request-id': 'req-stream-1' });
  });

  it('records RED metrics per method with the final status code', () => {
    const rpcLabels = (method: string, code: string, service: string) => ({ method: `strata.test.v1.${method}`, code, service });
    expect(sampleValue(result.metrics.relay, 'strata_rpc_requests_total', rpcLabels('RelayService/Relay', 'OK', 'relay-service'))).toBe(2);
    expect(sampleValue(result.metrics.echo, 'strata_rpc_requests_total', rpcLabels('EchoService/Echo', 'OK', 'echo-service'))).toBe(2);
    expect(sampleValue(result.metrics.echo, 'strata_rpc_requests_total', rpcLabels('EchoService/EchoStream', 'OK', 'echo-service'))).toBe(1);
    expect(sampleValue(result.metrics.echo, 'strata_rpc_requests_total', rpcLabels('EchoService/Fail', 'NOT_FOUND', 'echo-service'))).toBe(1);
    expect(sampleValue(result.metrics.echo, 'strata_rpc_duration_seconds_count', rpcLabels('EchoService/Echo', 'OK', 'echo-service'))).toBe(2);
    expect(result.calls.failing).toMatchObject({ error: '5 NOT_FOUND: no such echo', headers: { 'x-request-id': 'req-fail-1' } });
  });

  it('serves grpc.health.v1.Health without tracing the probe', () => {
    expect(result.calls.health.response).toEqual({ status: 'SERVING' });
    expect(result.spans.filter((span) => span.name.includes('Health'))).toEqual([]);
  });
});

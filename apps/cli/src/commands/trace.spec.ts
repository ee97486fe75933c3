import { freePort } from '@strata/ports';
import { OtlpTraceReceiver, type TraceSpan } from '@strata/trace-collector';
import { fakeCli, fakeRegistry } from '../../test/support/fake-cli';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const REQUEST_ID = '0192f000-1111-7000-8000-000000000001';
/** 2026-01-02T03:04:05Z in nanoseconds. */
const T0 = 1_767_323_045_000_000_000n;

function aSpan(overrides: Partial<TraceSpan> & { offsetMs?: number } = {}): TraceSpan {
  const { offsetMs = 0, durationMs = 4, ...rest } = overrides;
  const start = T0 + BigInt(offsetMs * 1e6);
  return {
    traceId: TRACE_ID,
    spanId: '00f067aa0ba902b7',
    name: 'POST /v2/models/flights-delay/infer',
    kind: 'SERVER',
    serviceName: 'gateway',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + BigInt(durationMs * 1e6)).toString(),
    startTimeMs: Number(start / 1_000_000n),
    durationMs,
    status: { code: 'UNSET' },
    attributes: { 'strata.request_id': REQUEST_ID },
    ...rest,
  };
}

/** The spans of one request through the three services. */
function aRequestPath(): TraceSpan[] {
  return [
    aSpan({ durationMs: 9 }),
    aSpan({ spanId: '00f067aa0ba902b8', parentSpanId: '00f067aa0ba902b7', name: 'strata.inference.v1.InferenceService/Predict', kind: 'CLIENT', offsetMs: 1, durationMs: 7, attributes: {} }),
    aSpan({
      spanId: '00f067aa0ba902b9',
      parentSpanId: '00f067aa0ba902b8',
      serviceName: 'inference-service',
      name: 'strata.inference.v1.InferenceService/Predict',
      offsetMs: 2,
      durationMs: 5,
      attributes: { 'strata.request_id': REQUEST_ID, 'strata.model.name': 'flights-delay', 'strata.model.version': '3', 'strata.feature_contract.version': '2' },
    }),
    aSpan({ spanId: '00f067aa0ba902ba', parentSpanId: '00f067aa0ba902b9', serviceName: 'feature-service', name: 'strata.features.v1.FeatureService/GetOnlineFeatures', offsetMs: 3, durationMs: 2 }),
  ];
}

/** Runs `strata <args>` in-process; returns its exit code and output. */
async function strata(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cli = fakeCli(fakeRegistry(), { env });
  const code = await runCli(args, cli.deps);
  return { code, stdout: cli.stdout.text, stderr: cli.stderr.text };
}

describe('strata trace', () => {
  let receiver: OtlpTraceReceiver;
  let collector: string;

  beforeEach(async () => {
    receiver = new OtlpTraceReceiver();
    ({ url: collector } = await receiver.start(await freePort()));
    receiver.store.add(aRequestPath());
  });

  afterEach(async () => {
    await receiver.stop();
  });

  it("prints the request's span tree across the services", async () => {
    const result = await strata(['trace', REQUEST_ID, '--collector', collector]);

    expect(result).toMatchObject({ code: ExitCode.Ok, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`trace ${TRACE_ID}  request ${REQUEST_ID}`);
    expect(lines[1]).toBe('9.00 ms, 4 spans, 3 services (gateway, inference-service, feature-service), started 2026-01-02T03:04:05.000Z');
    expect(lines[2]).toMatch(new RegExp(`^gateway POST /v2/models/flights-delay/infer \\[server\\] +9\\.00 ms {2}\\+0\\.00 ms {2}request_id=${REQUEST_ID}$`));
    expect(lines[3]).toMatch(/^└─ gateway strata\.inference\.v1\.InferenceService\/Predict \[client\] +7\.00 ms {2}\+1\.00 ms$/);
    expect(lines[4]).toMatch(/^ {3}└─ inference-service strata\.inference\.v1\.InferenceService\/Predict \[server\] +5\.00 ms {2}\+2\.00 ms {2}request_id=\S+ model=flights-delay@3 feature_contract=2$/);
    expect(lines[5]).toMatch(/^ {6}└─ feature-service strata\.features\.v1\.FeatureService\/GetOnlineFeatures \[server\] +2\.00 ms {2}\+3\.00 ms/);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('finds a trace by its trace ID and takes the collector from STRATA_TRACES', async () => {
    const result = await strata(['trace', TRACE_ID.toUpperCase()], { STRATA_TRACES: `${collector}/` });

    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout).toMatch(/^trace 4bf92f3577b34da6a3ce929d0e0e4736 {2}request 0192f000/);
  });

  it('prints the spans as JSON with --json', async () => {
    const result = await strata(['trace', REQUEST_ID, '--collector', collector, '--json']);

    expect(result.code).toBe(ExitCode.Ok);
    const answer = JSON.parse(result.stdout) as { requestId: string; traceIds: string[]; spans: TraceSpan[] };
    expect(answer).toMatchObject({ requestId: REQUEST_ID, traceIds: [TRACE_ID] });
    expect(answer.spans.map((span) => span.serviceName)).toEqual(['gateway', 'gateway', 'inference-service', 'feature-service']);
  });

  it('lists recent requests with --recent', async () => {
    receiver.store.add([aSpan({ traceId: 'c'.repeat(32), offsetMs: 100, status: { code: 'ERROR' }, attributes: { 'strata.request_id': 'later' } })]);

    const table = await strata(['trace', '--recent', '--collector', collector]);
    const json = await strata(['trace', '--recent', '--limit', '1', '--collector', collector, '--json']);

    expect(table.code).toBe(ExitCode.Ok);
    expect(table.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/^REQUEST ID +STARTED +DURATION +SPANS +STATUS +ROOT$/),
      expect.stringMatching(/^later +2026-01-02 03:04:05\.100Z +4\.00 ms +1 +error +gateway POST \/v2\/models\/flights-delay\/infer$/),
      expect.stringMatching(new RegExp(`^${REQUEST_ID} +2026-01-02 03:04:05\\.000Z +9\\.00 ms +4 +ok +gateway POST`)),
    ]);
    expect((JSON.parse(json.stdout) as { requests: { requestId: string }[] }).requests.map((request) => request.requestId)).toEqual(['later']);
  });

  it('waits for spans that are not there yet with --wait', async () => {
    const running = strata(['trace', 'late-request', '--collector', collector, '--wait', '60s']);
    receiver.store.add([aSpan({ traceId: 'd'.repeat(32), attributes: { 'strata.request_id': 'late-request' } })]);

    const result = await running;
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout).toMatch(/request late-request/);
  });

  it('exits NOT_FOUND when the collector has no span of the request', async () => {
    const result = await strata(['trace', 'no-such-request', '--collector', collector]);

    expect(result.code).toBe(ExitCode.NotFound);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `strata: no trace for request ID "no-such-request" at ${collector}\n  (services export spans every few seconds: retry, or add --wait 10s; \`strata trace --recent\` lists the request IDs it has)\n`,
    );
  });

  it('says which collector is unreachable and that `npm start` runs one', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;

    const text = await strata(['trace', REQUEST_ID], { STRATA_TRACES: nobody });
    const json = await strata(['trace', '--recent', '--collector', nobody, '--json']);

    expect(text.code).toBe(ExitCode.Unavailable);
    expect(text.stderr).toMatch(new RegExp(`^strata: cannot reach the trace collector at ${nobody.replace(/\./g, '\\.')}: .*ECONNREFUSED`));
    expect(text.stderr).toContain('`npm start` runs one at http://127.0.0.1:4318; set --collector or STRATA_TRACES');
    expect(json.code).toBe(ExitCode.Unavailable);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { status: 'ERROR', exitCode: ExitCode.Unavailable } });
  });

  it('refuses a missing request ID, a bad collector URL and mixed options as usage errors', async () => {
    const results = await Promise.all([
      strata(['trace', '--collector', collector]),
      strata(['trace', REQUEST_ID, '--collector', 'not a url']),
      strata(['trace', REQUEST_ID, '--recent', '--collector', collector]),
      strata(['trace', REQUEST_ID, '--limit', '5', '--collector', collector]),
      strata(['trace', '--recent', '--limit', '0', '--collector', collector]),
    ]);

    expect(results.map((result) => result.code)).toEqual([ExitCode.Usage, ExitCode.Usage, ExitCode.Usage, ExitCode.Usage, ExitCode.Usage]);
    expect(results.map((result) => result.stderr.trim())).toEqual([
      'strata: give a request ID (or --recent to list the latest ones)',
      'strata: --collector: expected a URL such as http://127.0.0.1:4318, got "not a url"',
      'strata: give a request ID or --recent, not both',
      'strata: --limit goes with --recent',
      'strata: --limit: must be between 1 and 1000, got 0',
    ]);
  });
});

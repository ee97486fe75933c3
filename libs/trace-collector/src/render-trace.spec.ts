import { aSpan, TRACE_B } from '../test/a-span';
import { renderTrace } from './render-trace';

const ROOT = '0000000000000001';

describe(renderTrace.name, () => {
  it('draws the span tree, children by start, with durations, offsets and the Strata attributes', () => {
    const text = renderTrace([
      aSpan({ spanId: ROOT, name: 'POST /infer', kind: 'SERVER', durationMs: 20, attributes: { 'strata.request_id': 'r1', 'http.method': 'POST' } }),
      aSpan({ spanId: '0000000000000003', parentSpanId: ROOT, name: 'second', startOffsetMs: 8, durationMs: 2 }),
      aSpan({ spanId: '0000000000000002', parentSpanId: ROOT, name: 'first', kind: 'CLIENT', startOffsetMs: 1, durationMs: 6.5 }),
      aSpan({
        spanId: '0000000000000004',
        parentSpanId: '0000000000000002',
        serviceName: 'inference-service',
        name: 'Predict',
        kind: 'SERVER',
        startOffsetMs: 1.25,
        durationMs: 5,
        attributes: { 'strata.model.version': '7', 'strata.feature_contract.version': 'v1' },
      }),
    ]);

    expect(text).toBe(
      [
        `trace ${'a'.repeat(32)}  request r1`,
        '20.00 ms, 4 spans, 2 services (gateway, inference-service), started 2026-01-02T03:04:05.000Z',
        'gateway POST /infer [server]                 20.00 ms  +0.00 ms  request_id=r1',
        '├─ gateway first [client]                     6.50 ms  +1.00 ms',
        '│  └─ inference-service Predict [server]      5.00 ms  +1.25 ms  model_version=7 feature_contract=v1',
        '└─ gateway second [internal]                  2.00 ms  +8.00 ms',
        '',
      ].join('\n'),
    );
  });

  it('shows spans whose parent was not received at the top level, marked, after the root', () => {
    const text = renderTrace([aSpan({ spanId: '0000000000000009', parentSpanId: '00000000000000ff', name: 'orphan', startOffsetMs: -1 }), aSpan({ spanId: ROOT, name: 'root' })]);

    expect(text.split('\n').slice(2)).toEqual([
      'gateway root [internal]        1.00 ms  +1.00 ms',
      'gateway orphan [internal]      1.00 ms  +0.00 ms  (parent 00000000000000ff not received)',
      '',
    ]);
  });

  it('renders several traces one after the other, takes the request ID asked for, and marks errors', () => {
    const text = renderTrace(
      [
        aSpan({ traceId: TRACE_B, spanId: ROOT, startOffsetMs: 5, status: { code: 'ERROR', message: 'boom' }, attributes: { 'strata.model.name': 'delay', 'strata.model.version': '3' } }),
        aSpan({ spanId: ROOT }),
      ],
      { requestId: 'asked' },
    );

    expect(text).toMatch(new RegExp(`^trace ${'a'.repeat(32)}  request asked\n.*\n.*\n\ntrace ${'b'.repeat(32)}  request asked\n.*1 error\n.*model=delay@3  ERROR: boom\n$`));
  });

  it('shows a version recorded as <model>:<version> once, not prefixed with the model name again', () => {
    const text = renderTrace([aSpan({ spanId: ROOT, attributes: { 'strata.model.name': 'flight-delay', 'strata.model.version': 'flight-delay:1' } })], {});
    expect(text).toContain('  model_version=flight-delay:1');
    expect(text).not.toContain('model=flight-delay@');
  });

  it('colours service names and errors only when asked', () => {
    const spans = [aSpan({ status: { code: 'ERROR' } })];

    expect(renderTrace(spans)).not.toContain('\u001b[');
    expect(renderTrace(spans, { colour: true })).toContain('\u001b[36mgateway\u001b[0m');
    expect(renderTrace(spans, { colour: true })).toContain('\u001b[31mERROR\u001b[0m');
  });

  it('says so when there is nothing to render', () => {
    expect(renderTrace([])).toBe('(no spans)\n');
  });
});

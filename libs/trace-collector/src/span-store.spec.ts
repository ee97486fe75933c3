import { aSpan, TRACE_A, TRACE_B } from '../test/a-span';
import { SpanStore } from './span-store';

const withRequest = (requestId: string) => ({ 'strata.request_id': requestId });

describe(SpanStore.name, () => {
  it('finds every span of the traces carrying a request ID, by start time', () => {
    const store = new SpanStore();
    store.add([
      aSpan({ spanId: '0000000000000002', parentSpanId: '0000000000000001', startOffsetMs: 2, attributes: withRequest('r1') }),
      aSpan({ spanId: '0000000000000001', startOffsetMs: 0 }),
      aSpan({ traceId: TRACE_B, spanId: '0000000000000003', attributes: withRequest('r2') }),
    ]);

    expect(store.spansForRequest('r1').map((span) => span.spanId)).toEqual(['0000000000000001', '0000000000000002']);
    expect(store.traceIdsForRequest('r1')).toEqual([TRACE_A]);
    expect(store.trace(TRACE_B.toUpperCase()).map((span) => span.spanId)).toEqual(['0000000000000003']);
    expect(store.spansForRequest('unknown')).toEqual([]);
  });

  it('keeps a span received twice once', () => {
    const store = new SpanStore();

    expect(store.add([aSpan()])).toHaveLength(1);
    expect(store.add([aSpan(), aSpan()])).toHaveLength(0);
    expect(store.size).toBe(1);
  });

  it('drops the oldest spans beyond maxSpans, and a request with its last trace', () => {
    const store = new SpanStore(2);
    store.add([aSpan({ spanId: '0000000000000001', attributes: withRequest('old') }), aSpan({ spanId: '0000000000000002' })]);
    store.add([aSpan({ traceId: TRACE_B, spanId: '0000000000000003', attributes: withRequest('new') })]);

    expect(store.all().map((span) => span.spanId)).toEqual(['0000000000000002', '0000000000000003']);
    // the trace of "old" still has a span, so the request still finds it
    expect(store.spansForRequest('old').map((span) => span.spanId)).toEqual(['0000000000000002']);

    store.add([aSpan({ traceId: TRACE_B, spanId: '0000000000000004' })]);
    expect(store.traceIdsForRequest('old')).toEqual([]);
    expect(store.recentRequests().map((summary) => summary.requestId)).toEqual(['new']);
    // a dropped span may be received again
    expect(store.add([aSpan({ spanId: '0000000000000001' })])).toHaveLength(1);
  });

  it('stays consistent over many evictions', () => {
    const store = new SpanStore(3);
    for (let index = 1; index <= 20; index += 1) store.add([aSpan({ spanId: index.toString(16).padStart(16, '0'), attributes: withRequest(`r${index % 4}`) })]);

    expect(store.size).toBe(3);
    expect(store.all().map((span) => span.attributes['strata.request_id'])).toEqual(['r2', 'r3', 'r0']);
    expect(store.trace(TRACE_A)).toHaveLength(3);
  });

  it('summarizes recent requests, newest first, from the root span to the last end', () => {
    const store = new SpanStore();
    store.add([
      aSpan({ spanId: '0000000000000001', name: 'POST /infer', kind: 'SERVER', durationMs: 10, attributes: withRequest('first') }),
      aSpan({ spanId: '0000000000000002', parentSpanId: '0000000000000001', serviceName: 'inference-service', startOffsetMs: 1, durationMs: 12, status: { code: 'ERROR' } }),
      aSpan({ traceId: TRACE_B, spanId: '0000000000000003', parentSpanId: '00000000000000ff', name: 'Predict', serviceName: 'inference-service', startOffsetMs: 50, attributes: withRequest('second') }),
    ]);

    expect(store.recentRequests(10)).toEqual([
      { requestId: 'second', traceIds: [TRACE_B], rootSpanName: 'Predict', rootServiceName: 'inference-service', startTime: '2026-01-02T03:04:05.050Z', startTimeUnixNano: '1767323045050000000', durationMs: 1, spanCount: 1, error: false },
      { requestId: 'first', traceIds: [TRACE_A], rootSpanName: 'POST /infer', rootServiceName: 'gateway', startTime: '2026-01-02T03:04:05.000Z', startTimeUnixNano: '1767323045000000000', durationMs: 13, spanCount: 2, error: true },
    ]);
    expect(store.recentRequests(1)).toHaveLength(1);
  });

  it('refuses a maxSpans that is not a positive integer', () => {
    expect(() => new SpanStore(0)).toThrow(RangeError);
  });
});

import { compareSpanStart, nanosBetweenMs, type RequestSummary, STRATA_SPAN_ATTRIBUTES, type TraceSpan } from './trace-span';

/** How many spans a {@link SpanStore} keeps unless told otherwise. */
export const DEFAULT_MAX_SPANS = 50_000;

/**
 * The last `maxSpans` received spans in memory, indexed by trace ID and by the Strata request
 * ID (`strata.request_id`) of any of their spans. The oldest span is dropped first; a span
 * received twice (an exporter retry) is kept once.
 */
export class SpanStore {
  /** Spans in arrival order; `queue[head]` is the oldest still kept. */
  private queue: TraceSpan[] = [];
  private head = 0;
  private readonly keys = new Set<string>();
  private readonly byTrace = new Map<string, TraceSpan[]>();
  private readonly tracesByRequest = new Map<string, Set<string>>();
  private readonly requestsByTrace = new Map<string, Set<string>>();

  constructor(readonly maxSpans = DEFAULT_MAX_SPANS) {
    if (!Number.isSafeInteger(maxSpans) || maxSpans < 1) throw new RangeError(`maxSpans must be a positive integer, got ${maxSpans}`);
  }

  /** Spans kept now. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Adds spans, dropping the oldest beyond `maxSpans`. Returns the spans that were new. */
  add(spans: Iterable<TraceSpan>): TraceSpan[] {
    const added: TraceSpan[] = [];
    for (const span of spans) {
      const key = `${span.traceId}/${span.spanId}`;
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      this.queue.push(span);
      added.push(span);
      const trace = this.byTrace.get(span.traceId);
      if (trace === undefined) this.byTrace.set(span.traceId, [span]);
      else trace.push(span);
      const requestId = span.attributes[STRATA_SPAN_ATTRIBUTES.requestId];
      if (typeof requestId === 'string' && requestId !== '') this.link(requestId, span.traceId);
      if (this.size > this.maxSpans) this.evictOldest();
    }
    return added;
  }

  /** Every span kept, oldest first. */
  all(): TraceSpan[] {
    return this.queue.slice(this.head);
  }

  /** The spans of one trace, by start time; empty when unknown. */
  trace(traceId: string): TraceSpan[] {
    return [...(this.byTrace.get(traceId.toLowerCase()) ?? [])].sort(compareSpanStart);
  }

  /** IDs of the traces with a span whose `strata.request_id` is `requestId`. */
  traceIdsForRequest(requestId: string): string[] {
    return [...(this.tracesByRequest.get(requestId) ?? [])];
  }

  /** Every span of every trace carrying `requestId`, by start time. */
  spansForRequest(requestId: string): TraceSpan[] {
    return this.traceIdsForRequest(requestId)
      .flatMap((traceId) => this.byTrace.get(traceId) ?? [])
      .sort(compareSpanStart);
  }

  /** The `limit` most recent request IDs (by the start of their earliest span), newest first. */
  recentRequests(limit = 20): RequestSummary[] {
    const summaries: RequestSummary[] = [];
    for (const requestId of this.tracesByRequest.keys()) {
      const summary = this.summarize(requestId);
      if (summary !== undefined) summaries.push(summary);
    }
    summaries.sort((a, b) => {
      const diff = BigInt(b.startTimeUnixNano) - BigInt(a.startTimeUnixNano);
      return diff === 0n ? 0 : diff < 0n ? -1 : 1;
    });
    return summaries.slice(0, Math.max(0, limit));
  }

  /** Forgets every span. */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.keys.clear();
    this.byTrace.clear();
    this.tracesByRequest.clear();
    this.requestsByTrace.clear();
  }

  private summarize(requestId: string): RequestSummary | undefined {
    const spans = this.spansForRequest(requestId);
    const first = spans[0];
    if (first === undefined) return undefined;
    const ids = new Set(spans.map((span) => span.spanId));
    const root = spans.find((span) => span.parentSpanId === undefined || !ids.has(span.parentSpanId)) ?? first;
    let end = BigInt(first.endTimeUnixNano);
    for (const span of spans) if (BigInt(span.endTimeUnixNano) > end) end = BigInt(span.endTimeUnixNano);
    return {
      requestId,
      traceIds: this.traceIdsForRequest(requestId),
      rootSpanName: root.name,
      rootServiceName: root.serviceName,
      startTime: new Date(first.startTimeMs).toISOString(),
      startTimeUnixNano: first.startTimeUnixNano,
      durationMs: nanosBetweenMs(first.startTimeUnixNano, end.toString()),
      spanCount: spans.length,
      error: spans.some((span) => span.status.code === 'ERROR'),
    };
  }

  private link(requestId: string, traceId: string): void {
    let traces = this.tracesByRequest.get(requestId);
    if (traces === undefined) this.tracesByRequest.set(requestId, (traces = new Set()));
    traces.add(traceId);
    let requests = this.requestsByTrace.get(traceId);
    if (requests === undefined) this.requestsByTrace.set(traceId, (requests = new Set()));
    requests.add(requestId);
  }

  private evictOldest(): void {
    const span = this.queue[this.head];
    if (span === undefined) return;
    this.head += 1;
    // Compact now and then, so dropping the oldest span stays O(1) on average.
    if (this.head >= this.maxSpans) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.keys.delete(`${span.traceId}/${span.spanId}`);
    const trace = this.byTrace.get(span.traceId) ?? [];
    const index = trace.indexOf(span);
    if (index >= 0) trace.splice(index, 1);
    if (trace.length > 0) return;
    // The last span of the trace is gone: so is the trace, from every request that pointed at it.
    this.byTrace.delete(span.traceId);
    for (const requestId of this.requestsByTrace.get(span.traceId) ?? []) {
      const traces = this.tracesByRequest.get(requestId);
      traces?.delete(span.traceId);
      if (traces?.size === 0) this.tracesByRequest.delete(requestId);
    }
    this.requestsByTrace.delete(span.traceId);
  }
}

import { type Context, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { attributesOf, getRequestContext } from './request-context';
import { RequestContextAttributes } from './request-context-keys';

const STRATA_ATTRIBUTES: readonly string[] = Object.values(RequestContextAttributes);
/** Finished traces whose request context is remembered for spans ending late (the oldest is forgotten first). */
const MAX_FINISHED_TRACES = 10_000;
/** Ended spans held per open trace; beyond it they are passed on with what is known so far. */
const MAX_HELD_SPANS_PER_TRACE = 512;

/** How long {@link RequestContextSpanProcessor} holds ended spans for a trace whose local root is still open. */
export interface RequestContextHoldOptions {
  /** After this long (ms) since its local root started, a trace's spans are passed on without waiting (long streams, jobs). Default 10 s. */
  readonly maxHoldMs?: number;
  /** How often (ms) held traces are checked against `maxHoldMs`. Default 1 s. */
  readonly sweepIntervalMs?: number;
  /** The clock (ms), for tests. */
  readonly now?: () => number;
}

/** A trace with a local root span (server span, or a span without a parent) still running in this process. */
interface OpenTrace {
  readonly openRoots: Set<string>;
  readonly held: ReadableSpan[];
  readonly known: Record<string, string>;
  readonly startedAt: number;
  /** False once its spans have been passed on (root ended, flush, or shutdown). */
  holding: boolean;
}

function learn(known: Record<string, string>, attributes: ReadableSpan['attributes']): void {
  for (const name of STRATA_ATTRIBUTES) {
    const value = attributes[name];
    if (typeof value === 'string') known[name] = value;
  }
}

/** The values of `known` a span's attributes lack (its own values are never replaced). */
function lacking(attributes: ReadableSpan['attributes'], known: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const missing = Object.entries(known).filter(([name]) => attributes[name] === undefined);
  return missing.length === 0 ? undefined : Object.fromEntries(missing);
}

/** `span`, or a read-only view of the ended span with the request context values it lacks added. */
function completed(span: ReadableSpan, known: Readonly<Record<string, string>>): ReadableSpan {
  const missing = lacking(span.attributes, known);
  if (missing === undefined) return span;
  const view = Object.create(span) as ReadableSpan;
  Object.defineProperty(view, 'attributes', { value: { ...span.attributes, ...missing }, enumerable: true });
  return view;
}

/**
 * Puts the Strata request context (request ID, model version, feature contract) on every span
 * a process exports, client and internal ones included, then hands the spans to `inner` (the
 * batch exporter):
 * - at start, a span gets the values the request context holds then;
 * - values learnt mid-request (the model version inference picked, the contract it used) reach
 *   spans that ended before them: ended spans of a trace are held until the trace's local root
 *   span (the server span) ends, which carries every value, and are passed on with the values
 *   they lack. Deterministic: no export can run between a span's end and the values arriving.
 * Bounded: a trace is held at most `maxHoldMs` and {@link MAX_HELD_SPANS_PER_TRACE} spans; spans
 * ending after their root get what the trace ended with.
 */
export class RequestContextSpanProcessor implements SpanProcessor {
  private readonly open = new Map<string, OpenTrace>();
  private readonly finished = new Map<string, Readonly<Record<string, string>>>();
  private readonly maxHoldMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly inner: SpanProcessor,
    options: RequestContextHoldOptions = {},
  ) {
    this.maxHoldMs = options.maxHoldMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.releaseExpired(), options.sweepIntervalMs ?? 1_000);
    this.sweeper.unref();
  }

  onStart(span: Span, parentContext: Context): void {
    const missing = lacking(span.attributes, attributesOf(getRequestContext(parentContext)));
    if (missing !== undefined) span.setAttributes(missing);
    const parent = trace.getSpanContext(parentContext);
    if (parent === undefined || parent.isRemote) {
      const { traceId, spanId } = span.spanContext();
      let entry = this.open.get(traceId);
      if (entry === undefined) {
        entry = { openRoots: new Set(), held: [], known: { ...this.finished.get(traceId) }, startedAt: this.now(), holding: true };
        this.open.set(traceId, entry);
      }
      entry.openRoots.add(spanId);
    }
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const { traceId, spanId } = span.spanContext();
    const entry = this.open.get(traceId);
    if (entry === undefined) {
      const known = this.finished.get(traceId);
      this.inner.onEnd(known === undefined ? span : completed(span, known));
      return;
    }
    learn(entry.known, span.attributes);
    entry.openRoots.delete(spanId);
    if (entry.openRoots.size === 0) {
      this.open.delete(traceId);
      this.rememberFinished(traceId, entry.known);
      this.release(entry);
      this.inner.onEnd(completed(span, entry.known));
      return;
    }
    if (entry.holding && entry.held.length < MAX_HELD_SPANS_PER_TRACE) {
      entry.held.push(span);
      return;
    }
    this.inner.onEnd(completed(span, entry.known));
  }

  async forceFlush(): Promise<void> {
    for (const entry of this.open.values()) this.release(entry);
    await this.inner.forceFlush();
  }

  async shutdown(): Promise<void> {
    clearInterval(this.sweeper);
    for (const entry of this.open.values()) this.release(entry);
    this.open.clear();
    await this.inner.shutdown();
  }

  /** Passes on a trace's held spans with what it knows now; later spans of it pass straight through. */
  private release(entry: OpenTrace): void {
    entry.holding = false;
    for (const held of entry.held.splice(0)) this.inner.onEnd(completed(held, entry.known));
  }

  /** Traces held past `maxHoldMs` are released and forgotten (a root that never ends costs nothing): their later spans get what they knew. */
  private releaseExpired(): void {
    const now = this.now();
    for (const [traceId, entry] of this.open) {
      if (now - entry.startedAt < this.maxHoldMs) continue;
      this.open.delete(traceId);
      this.rememberFinished(traceId, entry.known);
      this.release(entry);
    }
  }

  private rememberFinished(traceId: string, known: Readonly<Record<string, string>>): void {
    if (Object.keys(known).length === 0) return;
    this.finished.delete(traceId);
    this.finished.set(traceId, known);
    if (this.finished.size > MAX_FINISHED_TRACES) this.finished.delete(this.finished.keys().next().value as string);
  }
}

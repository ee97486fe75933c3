import type { Context } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { attributesOf, getRequestContext } from './request-context';
import { RequestContextAttributes } from './request-context-keys';

const STRATA_ATTRIBUTES: readonly string[] = Object.values(RequestContextAttributes);
/** Traces whose request context is remembered for export (the oldest is forgotten first). */
const MAX_TRACES = 10_000;

/** The Strata request context each trace ended with in this process, by trace ID. */
export class TraceRequestContexts {
  private readonly byTrace = new Map<string, Record<string, string>>();

  record(traceId: string, attributes: ReadableSpan['attributes']): void {
    let known = this.byTrace.get(traceId);
    for (const name of STRATA_ATTRIBUTES) {
      const value = attributes[name];
      if (typeof value !== 'string') continue;
      if (known === undefined) {
        known = {};
        this.byTrace.set(traceId, known);
        if (this.byTrace.size > MAX_TRACES) this.byTrace.delete(this.byTrace.keys().next().value as string);
      }
      known[name] = value;
    }
  }

  of(traceId: string): Readonly<Record<string, string>> | undefined {
    return this.byTrace.get(traceId);
  }
}

/**
 * Stamps the request context active when a span starts (request ID, and model version and
 * feature contract when already known) on every span, client and internal ones included, and
 * remembers per trace what its spans ended with.
 */
export class RequestContextSpanProcessor implements SpanProcessor {
  constructor(private readonly contexts: TraceRequestContexts) {}

  onStart(span: Span, parentContext: Context): void {
    const attributes = attributesOf(getRequestContext(parentContext));
    if (Object.keys(attributes).length > 0) span.setAttributes(attributes);
  }

  onEnd(span: ReadableSpan): void {
    this.contexts.record(span.spanContext().traceId, span.attributes);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Exports spans with the request context their trace ended with in this process added where a
 * span lacks it: values learnt mid-request (the model version inference picked) reach the
 * spans that started before them. A span's own values are never replaced.
 */
export class RequestContextExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly contexts: TraceRequestContexts,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(
      spans.map((span) => this.completed(span)),
      resultCallback,
    );
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private completed(span: ReadableSpan): ReadableSpan {
    const known = this.contexts.of(span.spanContext().traceId);
    if (known === undefined) return span;
    const missing = Object.entries(known).filter(([name]) => span.attributes[name] === undefined);
    if (missing.length === 0) return span;
    // The ended span is read-only: export a view of it with the added attributes.
    const view = Object.create(span) as ReadableSpan;
    Object.defineProperty(view, 'attributes', { value: { ...span.attributes, ...Object.fromEntries(missing) }, enumerable: true });
    return view;
  }
}

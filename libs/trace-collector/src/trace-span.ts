/** A span attribute value after flattening (arrays and maps become JSON strings or dotted keys). */
export type SpanAttributeValue = string | number | boolean;

/** `SpanKind` of OTLP without its prefix. */
export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

/** `Status.code` of OTLP without its prefix. */
export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR';

/** One received span, normalized from either OTLP encoding. IDs are lower-case hex. */
export interface TraceSpan {
  /** 32 hex digits. */
  readonly traceId: string;
  /** 16 hex digits. */
  readonly spanId: string;
  /** 16 hex digits; absent for a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: SpanKindName;
  /** `service.name` of the resource that sent the span (`unknown_service` when absent). */
  readonly serviceName: string;
  /** Instrumentation scope name, e.g. `@opentelemetry/instrumentation-grpc`. */
  readonly scopeName?: string;
  /** Start, nanoseconds since the Unix epoch, as a decimal string (exact; too large for a double). */
  readonly startTimeUnixNano: string;
  /** End, nanoseconds since the Unix epoch, as a decimal string. */
  readonly endTimeUnixNano: string;
  /** Start in milliseconds since the Unix epoch (a double: sub-microsecond precision is lost). */
  readonly startTimeMs: number;
  /** End minus start, in milliseconds (exact to the nanosecond before rounding to a double). */
  readonly durationMs: number;
  readonly status: { readonly code: SpanStatusCode; readonly message?: string };
  readonly attributes: Readonly<Record<string, SpanAttributeValue>>;
}

/** Span attribute names of the Strata request context (as libs/observability sets them on server spans). */
export const STRATA_SPAN_ATTRIBUTES = {
  requestId: 'strata.request_id',
  modelName: 'strata.model.name',
  modelVersion: 'strata.model.version',
  featureContractVersion: 'strata.feature_contract.version',
} as const;

/** One request ID the collector has spans for, with the traces that carry it. */
export interface RequestSummary {
  readonly requestId: string;
  readonly traceIds: readonly string[];
  /** Name of the earliest span without a received parent (the gateway's HTTP server span, normally). */
  readonly rootSpanName: string;
  /** `service.name` of that span. */
  readonly rootServiceName: string;
  /** ISO 8601 time of the earliest span. */
  readonly startTime: string;
  readonly startTimeUnixNano: string;
  /** From the earliest start to the latest end of the request's traces, in milliseconds. */
  readonly durationMs: number;
  readonly spanCount: number;
  /** Whether any span of the request has status ERROR. */
  readonly error: boolean;
}

/** The spans of one query (`GET /api/traces?request_id=` or `GET /api/traces/<id>`), sorted by start. */
export interface TraceQueryResult {
  /** The request ID asked for, when the query was by request ID and found spans. */
  readonly requestId?: string;
  readonly traceIds: readonly string[];
  readonly spans: readonly TraceSpan[];
}

/** Orders spans by start time (then span ID, so the order is stable). */
export function compareSpanStart(a: TraceSpan, b: TraceSpan): number {
  const diff = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
  if (diff !== 0n) return diff < 0n ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

/** Nanoseconds between two decimal nanosecond strings, in milliseconds. */
export function nanosBetweenMs(fromUnixNano: string, toUnixNano: string): number {
  return Number(BigInt(toUnixNano) - BigInt(fromUnixNano)) / 1e6;
}

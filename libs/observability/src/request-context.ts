import { randomFillSync } from 'node:crypto';
import { type Baggage, type Context, context, createContextKey, propagation, type Span, trace } from '@opentelemetry/api';
import { REQUEST_CONTEXT_FIELDS, type RequestContext, RequestContextAttributes, RequestContextBaggage, RequestContextMetadata } from './request-context-keys';

type MutableRequestContext = { -readonly [K in keyof RequestContext]: RequestContext[K] };

/**
 * The mutable request context of one request (or nested scope) while it runs. OpenTelemetry
 * contexts are immutable, so values learnt mid-request (the model version) live here, where
 * response metadata, log lines and outgoing calls made afterwards read them.
 */
export interface RequestScope {
  readonly values: MutableRequestContext & { requestId: string };
  /** The span active when the scope began: the server span for requests. */
  readonly span: Span | undefined;
  readonly parent: RequestScope | undefined;
}

const REQUEST_SCOPE_KEY = createContextKey('strata.request_scope');
/** The fields a request may change once its scope began (its ID never changes). */
const UPDATABLE_FIELDS = REQUEST_CONTEXT_FIELDS.filter((field) => field !== 'requestId');
// Printable ASCII without spaces, bounded: values come from callers and end up in logs and headers.
const ACCEPTABLE_VALUE = /^[\x21-\x7e]{1,128}$/;

// Random bytes for request IDs, drawn 4 KiB at a time: one randomFillSync per 16-byte ID costs
// tens of microseconds on the request path (a syscall each time).
const RANDOM_POOL = new Uint8Array(4096);
let poolOffset = RANDOM_POOL.length;

function pooledRandom(bytes: Uint8Array): void {
  if (poolOffset + bytes.length > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  bytes.set(RANDOM_POOL.subarray(poolOffset, poolOffset + bytes.length));
  poolOffset += bytes.length;
}

/**
 * A new request ID: a UUIDv7 (RFC 9562; 48-bit Unix milliseconds, then random bits), as
 * strata.common.v1 specifies for assigned IDs. Time-ordered, so logs sort by it.
 *
 * @param nowMs Unix time in milliseconds (the wall clock by default).
 * @param random fills its argument with random bytes (crypto by default).
 */
export function newRequestId(nowMs: number = Date.now(), random: (bytes: Uint8Array) => void = pooledRandom): string {
  const bytes = new Uint8Array(16);
  random(bytes);
  let time = Math.max(0, Math.floor(nowMs));
  for (let index = 5; index >= 0; index -= 1) {
    bytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Returns `value` when it is fit to be a request context value (printable, ≤128 chars), else `undefined`. */
export function acceptContextValue(value: string | undefined): string | undefined {
  return value !== undefined && ACCEPTABLE_VALUE.test(value) ? value : undefined;
}

function scopeOf(ctx: Context): RequestScope | undefined {
  return ctx.getValue(REQUEST_SCOPE_KEY) as RequestScope | undefined;
}

function compact(values: RequestContext): RequestContext {
  const result: MutableRequestContext = {};
  for (const field of REQUEST_CONTEXT_FIELDS) {
    const value = values[field];
    if (value !== undefined) result[field] = value;
  }
  return result;
}

/** Reads the Strata entries of a W3C baggage. */
export function requestContextFromBaggage(baggage: Baggage | undefined): RequestContext {
  if (!baggage) return {};
  const values: MutableRequestContext = {};
  for (const field of REQUEST_CONTEXT_FIELDS) {
    const value = acceptContextValue(baggage.getEntry(RequestContextBaggage[field])?.value);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

/** The request context of `ctx` (default: the active context): its request scope, else its baggage. */
export function getRequestContext(ctx: Context = context.active()): RequestContext {
  const scope = scopeOf(ctx);
  return scope ? { ...scope.values } : requestContextFromBaggage(propagation.getBaggage(ctx));
}

/** `baggage` with its Strata entries replaced by `values` (other entries kept). */
export function baggageWithRequestContext(baggage: Baggage | undefined, values: RequestContext): Baggage {
  let result = baggage ?? propagation.createBaggage();
  for (const field of REQUEST_CONTEXT_FIELDS) {
    const value = values[field];
    result = value === undefined ? result.removeEntry(RequestContextBaggage[field]) : result.setEntry(RequestContextBaggage[field], { value });
  }
  return result;
}

function setSpanAttributes(scope: RequestScope, values: RequestContext): void {
  const attributes = attributesOf(values);
  scope.span?.setAttributes(attributes);
  const active = trace.getActiveSpan();
  if (active !== undefined && active !== scope.span) active.setAttributes(attributes);
}

/**
 * Starts a request scope on top of `parent` with exactly `values` (no inheritance): the
 * returned context carries the scope and a baggage whose Strata entries are `values`.
 * Used by the server interceptor; services use {@link withRequestContext}.
 */
export function enterRequestScope(values: RequestContext & { requestId: string }, parent: Context = context.active()): { scope: RequestScope; context: Context } {
  const scope: RequestScope = { values: { ...compact(values), requestId: values.requestId }, span: trace.getSpan(parent), parent: scopeOf(parent) };
  setSpanAttributes(scope, scope.values);
  const baggage = baggageWithRequestContext(propagation.getBaggage(parent), scope.values);
  return { scope, context: propagation.setBaggage(parent, baggage).setValue(REQUEST_SCOPE_KEY, scope) };
}

/**
 * Runs `fn` in a request scope holding the current request context overridden by `values`
 * (a request ID is generated when there is none): sets the baggage for calls `fn` makes and
 * the span attributes of the active span. For background work, e.g. a training job.
 */
export function withRequestContext<T>(values: RequestContext, fn: () => T): T {
  const merged = { ...getRequestContext(), ...compact(values) };
  const { context: scoped } = enterRequestScope({ ...merged, requestId: merged.requestId ?? newRequestId() });
  return context.with(scoped, fn);
}

/**
 * Records values learnt mid-request (e.g. which model version serves it) in the current
 * request scope and the scopes around it: outgoing calls made afterwards carry them (metadata
 * and baggage), the server span and the active span get them as attributes, and the response
 * metadata/headers return them. Returns `false` when no request scope is active (then only
 * the active span is updated).
 */
export function updateRequestContext(values: Omit<RequestContext, 'requestId'>): boolean {
  // Field by field: an object rest without requestId and Object.assign into the scope took V8's
  // slow paths (~50 µs a call on the predict path).
  const update: MutableRequestContext = {};
  for (const field of UPDATABLE_FIELDS) {
    const value = (values as RequestContext)[field];
    if (value !== undefined) update[field] = value;
  }
  let scope = scopeOf(context.active());
  if (!scope) {
    trace.getActiveSpan()?.setAttributes(attributesOf(update));
    return false;
  }
  for (; scope !== undefined; scope = scope.parent) {
    for (const field of UPDATABLE_FIELDS) {
      const value = update[field];
      if (value !== undefined) scope.values[field] = value;
    }
    setSpanAttributes(scope, update);
  }
  return true;
}

/** Records the model (version, and name when given) serving the current request. See {@link updateRequestContext}. */
export function setModelVersion(version: string, modelName?: string): boolean {
  return updateRequestContext({ modelVersion: version, modelName });
}

/** Records the feature contract version used by the current request. See {@link updateRequestContext}. */
export function setFeatureContractVersion(version: string): boolean {
  return updateRequestContext({ featureContractVersion: version });
}

/** The request context as span attributes (`strata.request_id`, ...), known values only. */
export function attributesOf(values: RequestContext): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const field of REQUEST_CONTEXT_FIELDS) {
    const value = values[field];
    if (value !== undefined) attributes[RequestContextAttributes[field]] = value;
  }
  return attributes;
}

/** The request context as metadata/header pairs (`x-request-id`, `strata-model-version`, ...), known values only. */
export function requestContextHeaders(values: RequestContext = getRequestContext()): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const field of REQUEST_CONTEXT_FIELDS) {
    const value = values[field];
    if (value !== undefined) headers[RequestContextMetadata[field]] = value;
  }
  return headers;
}

/** How much of the caller's request context a server accepts. */
export interface IncomingContextPolicy {
  /**
   * `true` at the public edge (the gateway): only `x-request-id` is taken from callers;
   * their Strata baggage and model/contract metadata are ignored. Default `false`.
   */
  readonly edge?: boolean;
}

/**
 * The request context of an incoming request: from its metadata/headers (read with
 * `header`), else from `baggage` (already extracted by the instrumentation); a new request ID
 * when the caller sent none (or an unusable one).
 */
export function incomingRequestContext(header: (key: string) => string | undefined, baggage: Baggage | undefined, policy: IncomingContextPolicy = {}): RequestContext & { requestId: string } {
  const fromBaggage = policy.edge ? {} : requestContextFromBaggage(baggage);
  const values: MutableRequestContext = {};
  for (const field of REQUEST_CONTEXT_FIELDS) {
    const trusted = field === 'requestId' || !policy.edge;
    const value = trusted ? (acceptContextValue(header(RequestContextMetadata[field])) ?? fromBaggage[field]) : undefined;
    if (value !== undefined) values[field] = value;
  }
  return { ...values, requestId: values.requestId ?? newRequestId() };
}

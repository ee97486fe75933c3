// A small client of the receiver's query API, shared by `strata trace`, the launcher and tests.
import type { RequestSummary, TraceQueryResult } from './trace-span';

/** Where `strata trace` looks for the collector unless told otherwise. */
export const DEFAULT_COLLECTOR_URL = 'http://127.0.0.1:4318';
const DEFAULT_TIMEOUT_MS = 10_000;
const TRACE_ID = /^[0-9a-f]{32}$/i;

/** The collector did not answer (connection refused, DNS, timeout). */
export class CollectorUnreachableError extends Error {
  override readonly name = 'CollectorUnreachableError';
  constructor(
    readonly collectorUrl: string,
    reason: string,
  ) {
    super(`cannot reach the trace collector at ${collectorUrl}: ${reason}`);
  }
}

/** The collector answered with an unexpected status or body. */
export class CollectorResponseError extends Error {
  override readonly name = 'CollectorResponseError';
  constructor(
    readonly collectorUrl: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(`the trace collector at ${collectorUrl} answered ${statusCode}: ${message}`);
  }
}

/** Options of the query functions. */
export interface CollectorQueryOptions {
  /** Deadline of each HTTP request (default 10 s). */
  readonly timeoutMs?: number;
}

function baseUrl(collectorUrl: string): string {
  let url: URL;
  try {
    url = new URL(collectorUrl);
  } catch {
    throw new TypeError(`the collector URL must look like http://host:port, got "${collectorUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`the collector URL must be http:// or https://, got "${collectorUrl}"`);
  return collectorUrl.replace(/\/+$/, '');
}

/** Why fetch failed, e.g. `connect ECONNREFUSED 127.0.0.1:4318`. Duck-typed: fetch's errors may come from another realm. */
function reasonOf(error: unknown): string {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return 'no answer in time';
  const code = typeof failure.cause?.code === 'string' ? failure.cause.code : undefined;
  const message = typeof failure.cause?.message === 'string' && failure.cause.message !== '' ? failure.cause.message : undefined;
  if (code !== undefined) return message === undefined ? code : message.includes(code) ? message : `${code}: ${message}`;
  if (message !== undefined) return message;
  return typeof failure.message === 'string' ? failure.message : String(error);
}

/** GETs `path` from the collector: the parsed JSON body, or undefined on 404. */
async function getJson<T>(collectorUrl: string, path: string, options: CollectorQueryOptions): Promise<T | undefined> {
  const base = baseUrl(collectorUrl);
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS), headers: { accept: 'application/json' } });
    text = await response.text();
  } catch (error) {
    throw new CollectorUnreachableError(base, reasonOf(error));
  }
  if (response.status === 404) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CollectorResponseError(base, response.status, `not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    const message = typeof body === 'object' && body !== null && 'error' in body ? String((body as { error: unknown }).error) : text.slice(0, 200);
    throw new CollectorResponseError(base, response.status, message);
  }
  return body as T;
}

/**
 * The spans of a request: every trace with a span whose `strata.request_id` is `id`; when
 * there is none and `id` is a 32-hex trace ID, that trace. `spans` is empty when the
 * collector has nothing (yet: services export in batches every few seconds). Throws
 * {@link CollectorUnreachableError} or {@link CollectorResponseError}.
 */
export async function fetchTrace(collectorUrl: string, id: string, options: CollectorQueryOptions = {}): Promise<TraceQueryResult> {
  const byRequest = await getJson<TraceQueryResult>(collectorUrl, `/api/traces?request_id=${encodeURIComponent(id)}`, options);
  if (byRequest !== undefined && byRequest.spans.length > 0) return byRequest;
  if (TRACE_ID.test(id)) {
    const byTrace = await getJson<TraceQueryResult>(collectorUrl, `/api/traces/${id.toLowerCase()}`, options);
    if (byTrace !== undefined) return byTrace;
  }
  return { traceIds: [], spans: [] };
}

/** The `limit` most recent request IDs the collector has spans for, newest first. */
export async function fetchRecentRequests(collectorUrl: string, limit = 20, options: CollectorQueryOptions = {}): Promise<RequestSummary[]> {
  const answer = await getJson<{ requests: RequestSummary[] }>(collectorUrl, `/api/requests?limit=${limit}`, options);
  return answer?.requests ?? [];
}

/** Options of {@link waitForTrace}. */
export interface WaitForTraceOptions extends CollectorQueryOptions {
  /** Give up after this long and return what there is (default 30 s). */
  readonly waitMs?: number;
  /** Pause between polls (default 250 ms). */
  readonly intervalMs?: number;
  /** Done when this holds (default: at least one span). E.g. `(r) => new Set(r.spans.map((s) => s.serviceName)).size >= 3`. */
  readonly until?: (result: TraceQueryResult) => boolean;
}

/**
 * Polls {@link fetchTrace} until `until` holds or `waitMs` passed, and returns the last
 * result either way (spans reach the collector only when each service's batch exporter
 * flushes). Throws when the collector is unreachable.
 */
export async function waitForTrace(collectorUrl: string, id: string, options: WaitForTraceOptions = {}): Promise<TraceQueryResult> {
  const until = options.until ?? ((result: TraceQueryResult) => result.spans.length > 0);
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  for (;;) {
    const result = await fetchTrace(collectorUrl, id, options);
    if (until(result) || Date.now() >= deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 250, Math.max(0, deadline - Date.now()))));
  }
}

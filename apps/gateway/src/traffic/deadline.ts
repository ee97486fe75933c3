/** Deadline applied when the caller sets none (strata.gateway.v1: 1 s). */
export const DEFAULT_DEADLINE_MS = 1_000;
/** Longest deadline a caller may ask for; longer ones are cut to it. */
export const MAX_DEADLINE_MS = 30_000;
/** REST header carrying the caller's timeout in whole milliseconds (gRPC callers use their call deadline). */
export const REQUEST_TIMEOUT_HEADER = 'x-request-timeout-ms';

/** How deadlines are chosen. */
export interface DeadlinePolicy {
  /** Timeout when the caller sets none (ms). */
  readonly defaultMs: number;
  /** Cap on the caller's timeout (ms). */
  readonly maxMs: number;
}

/** {@link DEFAULT_DEADLINE_MS} and {@link MAX_DEADLINE_MS}. */
export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = Object.freeze({ defaultMs: DEFAULT_DEADLINE_MS, maxMs: MAX_DEADLINE_MS });

/**
 * The absolute deadline (ms, on the clock of `nowMs`) of a request: `nowMs` plus the caller's
 * timeout when it set one, cut to `policy.maxMs`, else plus `policy.defaultMs`. A caller may
 * ask for less than the default (it wins) or more, up to the cap: a longer request is
 * shortened, not refused, as gRPC servers do with long deadlines. A timeout of 0 or less means
 * the caller's deadline has already passed: the deadline is `nowMs` (fail with
 * DEADLINE_EXCEEDED / 504 without calling upstream).
 */
export function effectiveDeadline(callerTimeoutMs: number | undefined, nowMs: number, policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY): number {
  if (callerTimeoutMs === undefined || Number.isNaN(callerTimeoutMs)) return nowMs + policy.defaultMs;
  return nowMs + Math.min(Math.max(0, callerTimeoutMs), policy.maxMs);
}

/** Milliseconds left until `deadlineMs` at `nowMs` (never negative). */
export function remainingMs(deadlineMs: number, nowMs: number): number {
  return Math.max(0, deadlineMs - nowMs);
}

/**
 * The caller's timeout of a gRPC call from grpc-js's `call.getDeadline()` (a Date or epoch ms,
 * `Infinity` when none): the ms left at `nowEpochMs`, or `undefined` when the caller set no deadline.
 */
export function grpcCallerTimeoutMs(deadline: Date | number, nowEpochMs: number = Date.now()): number | undefined {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? at - nowEpochMs : undefined;
}

/** The outcome of {@link parseRequestTimeoutHeader}. */
export type TimeoutHeaderResult = { readonly timeoutMs: number | undefined } | { readonly invalid: string };

const WHOLE_MS = /^[0-9]{1,9}$/;

/**
 * Reads the REST `x-request-timeout-ms` header: absent → `{ timeoutMs: undefined }` (the
 * default applies); 1-9 decimal digits, value >= 1 → that timeout (values above the cap are
 * cut later by {@link effectiveDeadline}); anything else (0, signs, fractions, units, repeats)
 * → the reason to answer 400.
 */
export function parseRequestTimeoutHeader(value: string | readonly string[] | undefined): TimeoutHeaderResult {
  if (value === undefined) return { timeoutMs: undefined };
  if (typeof value !== 'string') return value.length === 1 ? parseRequestTimeoutHeader(value[0]) : { invalid: `${REQUEST_TIMEOUT_HEADER} was sent ${value.length} times; send it once` };
  const text = value.trim();
  const timeoutMs = WHOLE_MS.test(text) ? Number(text) : 0;
  if (timeoutMs < 1) return { invalid: `${REQUEST_TIMEOUT_HEADER} must be a whole number of milliseconds >= 1 (at most 9 digits), got ${JSON.stringify(value.slice(0, 32))}` };
  return { timeoutMs };
}

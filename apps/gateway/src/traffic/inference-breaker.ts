import { status } from '@grpc/grpc-js';

import { type Clock, monotonicClock } from './clock';

/** `closed`: calls pass. `open`: calls are refused at once. `half-open`: one probe call passes. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * How a call through the breaker ended, as far as the upstream's health goes:
 * - `success`: the upstream answered, whatever the status (NOT_FOUND, INVALID_ARGUMENT,
 *   RESOURCE_EXHAUSTED, INTERNAL prove it is up);
 * - `failure`: it is down (UNAVAILABLE, a connection error);
 * - `slow`: it did not answer this call in time (DEADLINE_EXCEEDED with the gateway's own
 *   deadline). A failure only when no call succeeded while it was in flight: an upstream that
 *   answers other calls meanwhile is slow (a model load, a busy machine), not down, and refusing
 *   everyone would turn its slow answers into errors;
 * - `neutral`: says nothing about it (the caller cancelled, or its own short deadline expired).
 */
export type CallOutcome = 'success' | 'failure' | 'slow' | 'neutral';

/** A call admitted by {@link InferenceBreaker.tryPass}; report its outcome exactly once (later reports are ignored). */
export interface BreakerPass {
  report(outcome: CallOutcome): void;
}

/** Options of an {@link InferenceBreaker}. */
export interface InferenceBreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  readonly failureThreshold?: number;
  /** Time open before a probe is let through (default 250 ms, so recovery takes well under 1 s). */
  readonly openMs?: number;
  /** A probe that has not reported after this long no longer blocks the next probe (default 1,000 ms). */
  readonly probeTimeoutMs?: number;
  /** Clock in milliseconds; monotonic by default. */
  readonly clock?: Clock;
}

/**
 * The circuit breaker in front of the inference upstream. Closed, it counts consecutive
 * failures and opens at `failureThreshold` (or at once on {@link channelDown}); a `slow` call
 * counts as a failure only when no call succeeded between its admission and its report. Open, every
 * call is refused without touching the network: the gateway answers 503 / UNAVAILABLE with
 * `Retry-After` from {@link retryAfterMs}, so requests never pile up waiting on a dead upstream.
 * After `openMs` one probe call passes (half-open): success closes the breaker, failure opens
 * it for another `openMs`. {@link channelUp} lets the probe through at once.
 *
 * Outcomes of calls admitted before the last state change are ignored: a burst of failures
 * from calls already in flight when the breaker opened must not re-open it after recovery, nor
 * a late success close it while open.
 */
export class InferenceBreaker {
  private readonly clock: Clock;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly probeTimeoutMs: number;
  private current: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeStartedAt: number | undefined;
  /** When a call last reported `success` (any generation: an answer is an answer). */
  private lastSuccessAt = Number.NEGATIVE_INFINITY;
  /** Bumped on every state change; passes of older generations report into the void. */
  private generation = 0;

  constructor(options: InferenceBreakerOptions = {}) {
    this.clock = options.clock ?? monotonicClock;
    this.failureThreshold = options.failureThreshold ?? 5;
    this.openMs = options.openMs ?? 250;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) throw new RangeError(`failureThreshold must be a positive integer, got ${this.failureThreshold}`);
    if (!(this.openMs > 0) || !(this.probeTimeoutMs > 0)) throw new RangeError('openMs and probeTimeoutMs must be positive');
  }

  /** The state now (an open breaker whose `openMs` has passed reads `half-open`). */
  get state(): BreakerState {
    if (this.current === 'open' && this.clock() - this.openedAt >= this.openMs) return 'half-open';
    return this.current;
  }

  /**
   * Admits a call, or refuses it (`undefined`: answer 503 / UNAVAILABLE with Retry-After now).
   * The pass must be given the call's outcome.
   */
  tryPass(): BreakerPass | undefined {
    const now = this.clock();
    if (this.current === 'closed') return this.passOf(this.generation, false, now);
    if (this.current === 'open') {
      if (now - this.openedAt < this.openMs) return undefined;
      this.transition('half-open');
    }
    if (this.probeStartedAt !== undefined && now - this.probeStartedAt < this.probeTimeoutMs) return undefined;
    this.probeStartedAt = now;
    return this.passOf(this.generation, true, now);
  }

  /** The upstream channel is known to be down (e.g. connectivity TRANSIENT_FAILURE): opens now unless already open. */
  channelDown(): void {
    if (this.current !== 'open') this.open();
  }

  /** The upstream channel is connected again: the next call is the probe, without waiting out `openMs`. */
  channelUp(): void {
    if (this.current === 'open') this.transition('half-open');
  }

  /**
   * Milliseconds a refused caller should wait before retrying: the rest of the open period
   * (>= 1), `openMs` while a probe is in flight, 0 when closed. Round up to whole seconds for
   * the HTTP `Retry-After` header.
   */
  retryAfterMs(): number {
    switch (this.current) {
      case 'closed':
        return 0;
      case 'open':
        return Math.max(1, Math.ceil(this.openedAt + this.openMs - this.clock()));
      case 'half-open':
        return this.openMs;
    }
  }

  private passOf(generation: number, probe: boolean, admittedAt: number): BreakerPass {
    let reported = false;
    return {
      report: (outcome) => {
        if (reported) return;
        reported = true;
        if (outcome === 'success') this.lastSuccessAt = Math.max(this.lastSuccessAt, this.clock());
        if (generation !== this.generation) return;
        this.record(outcome === 'slow' ? this.slowOutcome(admittedAt) : outcome, probe);
      },
    };
  }

  /** A call that ran out of time is a failure only if nothing succeeded while it was in flight. */
  private slowOutcome(admittedAt: number): Exclude<CallOutcome, 'slow'> {
    return this.lastSuccessAt >= admittedAt ? 'neutral' : 'failure';
  }

  private record(outcome: Exclude<CallOutcome, 'slow'>, probe: boolean): void {
    if (probe) {
      this.probeStartedAt = undefined;
      if (outcome === 'success') this.transition('closed');
      else if (outcome === 'failure') this.open();
      return;
    }
    if (outcome === 'success') this.consecutiveFailures = 0;
    else if (outcome === 'failure') {
      this.consecutiveFailures += 1;
      if (this.consecutiveFailures >= this.failureThreshold) this.open();
    }
  }

  private open(): void {
    this.openedAt = this.clock();
    this.transition('open');
  }

  private transition(next: BreakerState): void {
    this.current = next;
    this.generation += 1;
    this.consecutiveFailures = 0;
    this.probeStartedAt = undefined;
  }
}

/** A pass that records nothing, for upstream calls that should not affect the breaker. */
export const UNTRACKED_PASS: BreakerPass = Object.freeze({ report: () => undefined });

/**
 * The breaker outcome of a finished upstream call from its gRPC status code (`undefined` for
 * an error without one, e.g. a socket error): UNAVAILABLE and code-less errors are failures,
 * DEADLINE_EXCEEDED is slow (a failure only if nothing else succeeded meanwhile), CANCELLED is
 * neutral, every other code (OK included) is a success.
 *
 * DEADLINE_EXCEEDED caused by a caller's own short deadline says nothing about the upstream;
 * pass `callerLimited: true` for those so a client sending tiny deadlines cannot open the
 * breaker for everyone. An UNAVAILABLE the upstream itself answered (`answered: true`: it came
 * with the upstream's `grpc-status-details-bin`, which grpc-js never makes up for a connection
 * failure) is inference's verdict on one model or request — "no version loaded yet", "over the
 * memory budget" — and proves it is up: a success, so that callers of a model that is not
 * loaded cannot open the breaker for every other model.
 */
export function breakerOutcomeOf(code: number | undefined, options: { callerLimited?: boolean; answered?: boolean } = {}): CallOutcome {
  if (code === status.UNAVAILABLE && options.answered === true) return 'success';
  if (code === undefined || code === status.UNAVAILABLE) return 'failure';
  if (code === status.DEADLINE_EXCEEDED) return options.callerLimited === true ? 'neutral' : 'slow';
  if (code === status.CANCELLED) return 'neutral';
  return 'success';
}

/** How the launcher restarts a service that exited on its own (see {@link RestartPolicy}). */
export interface RestartPolicyOptions {
  /** Wait before the first restart; doubled for each further crash, up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Restarts allowed within `windowMs`; the crash after them gives up on the service. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** A service SERVING this long has recovered: a later crash counts from one again. */
  readonly stableAfterMs: number;
}

/** 1 s, 2 s, 4 s, 8 s, 16 s; the sixth crash within 10 minutes gives up; a minute SERVING forgives. */
export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  stableAfterMs: 60_000,
};

/** What to do about one crash. */
export type CrashDecision =
  | { readonly action: 'restart'; readonly delayMs: number; readonly restart: number; readonly maxRestarts: number }
  | { readonly action: 'give-up'; readonly crashes: number; readonly windowMs: number };

/**
 * The restart rules of one service, as plain decisions over the times it is given (no timers,
 * no processes): exponential backoff, a cap on crashes within a window, and forgiveness once
 * the service has been SERVING for a while.
 */
export class RestartPolicy {
  /** Times of the crashes that still count. */
  private crashes: number[] = [];
  private servingSince: number | undefined;
  private gaveUp = false;

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** The service reports SERVING (after its start or a restart). */
  onServing(now: number): void {
    this.servingSince = now;
  }

  /** The service exited on its own at `now`: restart it after a delay, or give up on it. */
  onCrash(now: number): CrashDecision {
    const { initialDelayMs, maxDelayMs, maxRestarts, windowMs, stableAfterMs } = this.options;
    if (this.servingSince !== undefined && now - this.servingSince >= stableAfterMs) this.crashes = [];
    this.servingSince = undefined;
    this.crashes = this.crashes.filter((at) => now - at < windowMs);
    this.crashes.push(now);
    const count = this.crashes.length;
    if (this.gaveUp || count > maxRestarts) {
      this.gaveUp = true;
      return { action: 'give-up', crashes: count, windowMs };
    }
    return { action: 'restart', delayMs: Math.min(initialDelayMs * 2 ** (count - 1), maxDelayMs), restart: count, maxRestarts };
  }
}

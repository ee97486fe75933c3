/** When {@link FetchBreaker} stops calling a failing feature-service, and for how long. */
export interface FetchBreakerOptions {
  /** Consecutive failed or timed-out fetches of one feature set that open the breaker. Default 20 (a slow spell under concurrency times out several requests at once; an outage at production rates reaches 20 in well under a second). */
  readonly failureThreshold?: number;
  /** How long an open breaker answers without calling, before one probe may go out. Default 500 ms. */
  readonly openMs?: number;
  /** Milliseconds clock; default `performance.now`. */
  readonly now?: () => number;
}

interface SetState {
  failures: number;
  openUntil: number;
  probing: boolean;
}

/**
 * A circuit breaker per feature set. While the feature-service keeps failing, every request
 * would wait up to the full deadline; after `failureThreshold` consecutive failures the breaker
 * opens and requests get the contract defaults at once (still flagged `feature_fetch_failed`).
 * After `openMs` one probe fetch goes out: success closes the breaker, failure opens it again.
 */
export class FetchBreaker {
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;
  private readonly sets = new Map<string, SetState>();

  constructor(options: FetchBreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 20;
    this.openMs = options.openMs ?? 500;
    this.now = options.now ?? ((): number => performance.now());
    if (!(Number.isInteger(this.threshold) && this.threshold >= 1)) throw new RangeError(`failureThreshold must be an integer >= 1, got ${this.threshold}`);
    if (!(this.openMs >= 0)) throw new RangeError(`openMs must be >= 0, got ${this.openMs}`);
  }

  /** True when a fetch of `featureSet` may go out now (closed, or the one probe of a half-open breaker). */
  allow(featureSet: string): boolean {
    const state = this.sets.get(featureSet);
    if (state === undefined || state.failures < this.threshold) return true;
    if (this.now() < state.openUntil || state.probing) return false;
    state.probing = true;
    return true;
  }

  success(featureSet: string): void {
    this.sets.delete(featureSet);
  }

  failure(featureSet: string): void {
    const state = this.sets.get(featureSet) ?? { failures: 0, openUntil: 0, probing: false };
    state.failures += 1;
    state.probing = false;
    if (state.failures >= this.threshold) state.openUntil = this.now() + this.openMs;
    this.sets.set(featureSet, state);
  }

  /** `open` while fetches are skipped; for status and tests. */
  state(featureSet: string): 'closed' | 'open' | 'half-open' {
    const state = this.sets.get(featureSet);
    if (state === undefined || state.failures < this.threshold) return 'closed';
    return this.now() < state.openUntil || state.probing ? 'open' : 'half-open';
  }
}

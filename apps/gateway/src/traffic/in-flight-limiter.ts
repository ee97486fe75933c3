import { type Clock, monotonicClock } from './clock';

/** Releases one in-flight slot; calling it again does nothing. */
export type ReleaseSlot = () => void;

/** Settings of an in-flight cap that adapts to how fast requests complete (see {@link InFlightLimiter}). */
export interface AdaptiveLimit {
  /**
   * A request in flight longer than this (admission to release) says requests are queueing
   * upstream: the limit halves. A fraction of the default deadline, so that admitted requests
   * finish within it instead of timing out.
   */
  readonly latencyTargetMs: number;
  /** The limit never goes below this (nor above `max`). */
  readonly minLimit: number;
  readonly clock?: Clock;
}

/** A slow completion multiplies the limit by this. */
const DECREASE_FACTOR = 0.5;

/**
 * A cap on requests in flight. `tryAcquire` never waits: at the cap it answers `undefined` at
 * once and the caller sheds the request (503 + Retry-After), so no queue of waiting requests
 * builds up behind a slow upstream.
 *
 * With an {@link AdaptiveLimit} the cap moves between `minLimit` and `max` (AIMD, as TCP's
 * congestion window): a request admitted after the last decrease that took longer than
 * `latencyTargetMs` halves the limit (requests admitted before it do not: they waited in the queue
 * the decrease is draining); a request that completed within the target raises it by one, so
 * after isolated slow spells (a GC pause, a model load on a busy core) it is back at `max` within
 * `max` fast answers, and a healthy gateway behaves as with a fixed cap. Above capacity the gateway then holds only as many requests
 * as inference finishes within the target and sheds the rest at once, instead of admitting `max`
 * requests that time out in a queue; when the load drops, nothing is queued behind the new ones.
 */
export class InFlightLimiter {
  private current = 0;
  private limitValue: number;
  /** Clock time of the last decrease: slower completions of requests admitted before it are not counted again. */
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private readonly clock: Clock;

  /** @param max most requests in flight at once (a positive integer). */
  constructor(
    readonly max: number,
    private readonly adaptive?: AdaptiveLimit,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
    if (adaptive !== undefined) {
      if (!Number.isInteger(adaptive.minLimit) || adaptive.minLimit < 1) throw new RangeError(`minLimit must be a positive integer, got ${adaptive.minLimit}`);
      if (!(adaptive.latencyTargetMs > 0)) throw new RangeError(`latencyTargetMs must be positive, got ${adaptive.latencyTargetMs}`);
    }
    this.limitValue = max;
    this.clock = adaptive?.clock ?? monotonicClock;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.current;
  }

  /** The cap now: `max`, or where the adaptive limit stands. */
  get limit(): number {
    return Math.floor(this.limitValue);
  }

  /** Takes a slot: its release function, or `undefined` when all slots under the limit are taken (shed the request). */
  tryAcquire(): ReleaseSlot | undefined {
    if (this.current >= this.limit) return undefined;
    this.current += 1;
    const acquiredAt = this.adaptive === undefined ? 0 : this.clock();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.current -= 1;
      if (this.adaptive !== undefined) this.adapt(this.adaptive, acquiredAt);
    };
  }

  private adapt(adaptive: AdaptiveLimit, acquiredAt: number): void {
    const now = this.clock();
    const minLimit = Math.min(adaptive.minLimit, this.max);
    if (now - acquiredAt > adaptive.latencyTargetMs) {
      if (acquiredAt < this.lastDecreaseAt) return;
      this.limitValue = Math.max(minLimit, this.limitValue * DECREASE_FACTOR);
      this.lastDecreaseAt = now;
    } else {
      this.limitValue = Math.min(this.max, this.limitValue + 1);
    }
  }
}

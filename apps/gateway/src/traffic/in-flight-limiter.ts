/** Releases one in-flight slot; calling it again does nothing. */
export type ReleaseSlot = () => void;

/**
 * A cap on requests in flight. `tryAcquire` never waits: at the cap it answers `undefined` at
 * once and the caller sheds the request (503 + Retry-After), so no queue of waiting requests
 * builds up behind a slow upstream.
 */
export class InFlightLimiter {
  private current = 0;

  /** @param max most requests in flight at once (a positive integer). */
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.current;
  }

  /** Takes a slot: its release function, or `undefined` when all `max` slots are taken (shed the request). */
  tryAcquire(): ReleaseSlot | undefined {
    if (this.current >= this.max) return undefined;
    this.current += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.current -= 1;
    };
  }
}

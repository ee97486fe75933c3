import { type Clock, monotonicClock } from './clock';

/** A key's rate limit: tokens refilled per second and the bucket's capacity. */
export interface RateLimit {
  /** Sustained rate, tokens per second (> 0). */
  readonly perSecond: number;
  /** Bucket capacity: the largest burst allowed after an idle period (>= 1). */
  readonly burst: number;
}

/** The answer to {@link TokenBucketLimiter.take}. */
export type TakeResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** Options of a {@link TokenBucketLimiter}. */
export interface TokenBucketOptions {
  /** Clock in milliseconds; monotonic by default. */
  readonly clock?: Clock;
  /** Most buckets kept; the least recently used one is dropped beyond it (default 10,000). */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  perSecond: number;
  burst: number;
}

/** Idle full buckets dropped per `take`: bounded work, amortised O(1). */
const SWEEP_PER_TAKE = 2;
const ALLOWED: TakeResult = Object.freeze({ allowed: true });

/**
 * Per-API-key token buckets. Each `take` refills the key's bucket for the time elapsed, then
 * spends `cost` tokens or says how long until it could.
 *
 * Memory is bounded: buckets sit in a Map in least-recently-used order; each `take` drops up
 * to two idle buckets at the head that have refilled completely (dropping a full bucket
 * changes nothing, a missing bucket starts full), and beyond `maxKeys` the least recently used
 * bucket is dropped even if not full (its key gets a fresh burst: the only way a limit can be
 * exceeded, and only with more than `maxKeys` keys active at once).
 *
 * A changed limit applies at once: the bucket is refilled at the old rate up to now, then
 * capped at the new burst, and refills at the new rate from then on.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: Clock;
  private readonly maxKeys: number;

  constructor(options: TokenBucketOptions = {}) {
    this.clock = options.clock ?? monotonicClock;
    this.maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${this.maxKeys}`);
  }

  /** Buckets currently held (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Spends `cost` tokens of `keyId`'s bucket under `limit`.
   *
   * @returns `{ allowed: true }`, or `{ allowed: false, retryAfterMs }` with the time (>= 1 ms)
   * until `cost` tokens will be there at the current rate; nothing is spent when refused.
   * @throws RangeError for a limit that is not positive and finite, or a cost that is not
   * positive or exceeds the burst (it could never be allowed).
   */
  take(keyId: string, limit: RateLimit, cost = 1): TakeResult {
    checkLimit(limit, cost);
    const now = this.clock();
    let bucket = this.buckets.get(keyId);
    if (bucket === undefined) {
      bucket = { tokens: limit.burst, updatedAt: now, perSecond: limit.perSecond, burst: limit.burst };
    } else {
      this.buckets.delete(keyId);
      refill(bucket, now);
      bucket.perSecond = limit.perSecond;
      if (bucket.tokens > limit.burst) bucket.tokens = limit.burst;
      bucket.burst = limit.burst;
    }
    this.sweep(now);
    this.buckets.set(keyId, bucket);
    if (this.buckets.size > this.maxKeys) this.evictLeastRecentlyUsed();

    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return ALLOWED;
    }
    const retryAfterMs = Math.max(1, Math.ceil(((cost - bucket.tokens) * 1000) / bucket.perSecond));
    return { allowed: false, retryAfterMs };
  }

  /** Forgets a key's bucket (e.g. when the key is revoked). */
  forget(keyId: string): void {
    this.buckets.delete(keyId);
  }

  private sweep(now: number): void {
    let dropped = 0;
    for (const [keyId, bucket] of this.buckets) {
      if (dropped >= SWEEP_PER_TAKE || !isFullAt(bucket, now)) return;
      this.buckets.delete(keyId);
      dropped += 1;
    }
  }

  private evictLeastRecentlyUsed(): void {
    const oldest = this.buckets.keys().next();
    if (oldest.done !== true) this.buckets.delete(oldest.value);
  }
}

function checkLimit(limit: RateLimit, cost: number): void {
  if (!(Number.isFinite(limit.perSecond) && limit.perSecond > 0)) throw new RangeError(`perSecond must be a positive finite number, got ${limit.perSecond}`);
  if (!(Number.isFinite(limit.burst) && limit.burst >= 1)) throw new RangeError(`burst must be a finite number >= 1, got ${limit.burst}`);
  if (!(Number.isFinite(cost) && cost > 0 && cost <= limit.burst)) throw new RangeError(`cost must be positive and at most the burst (${limit.burst}), got ${cost}`);
}

function refill(bucket: Bucket, now: number): void {
  // A clock that steps back must not drain the bucket.
  const elapsed = Math.max(0, now - bucket.updatedAt);
  bucket.tokens = Math.min(bucket.burst, bucket.tokens + (elapsed * bucket.perSecond) / 1000);
  bucket.updatedAt = Math.max(bucket.updatedAt, now);
}

function isFullAt(bucket: Bucket, now: number): boolean {
  return bucket.tokens + (Math.max(0, now - bucket.updatedAt) * bucket.perSecond) / 1000 >= bucket.burst;
}

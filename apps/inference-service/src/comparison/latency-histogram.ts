const { clz32, round } = Math;

// Values below 2^SUB_BITS µs get one bucket each (exact); above, each power of two is cut into
// 2^SUB_BITS buckets, so a bucket is at most 1/64 (≈1.6 %) of its values wide.
const SUB_BITS = 6;
const SUB_COUNT = 1 << SUB_BITS;
const MAX_EXPONENT = 31;
const BUCKET_COUNT = SUB_COUNT + (MAX_EXPONENT - SUB_BITS + 1) * SUB_COUNT;

/** Largest latency a histogram tells apart, in microseconds (~71.6 minutes); larger values count here. */
export const MAX_TRACKED_LATENCY_US = 0xffff_ffff;

function bucketOf(us: number): number {
  if (us < SUB_COUNT) return us;
  const exponent = 31 - clz32(us);
  const shift = exponent - SUB_BITS;
  return SUB_COUNT + shift * SUB_COUNT + ((us >>> shift) - SUB_COUNT);
}

function bucketBounds(bucket: number): { low: number; high: number } {
  if (bucket < SUB_COUNT) return { low: bucket, high: bucket };
  const shift = Math.floor((bucket - SUB_COUNT) / SUB_COUNT);
  const low = (SUB_COUNT + ((bucket - SUB_COUNT) % SUB_COUNT)) * 2 ** shift;
  return { low, high: low + 2 ** shift - 1 };
}

/**
 * A log-bucketed latency histogram with microsecond resolution and fixed memory (1,728 counters,
 * ~14 KB, whatever the number of samples). Values below 64 µs are exact; above, a quantile is
 * within 1/64 (≈1.6 %) of a recorded value, and never outside the recorded min/max.
 * Values are whole microseconds: fractions are rounded, negative values and NaN count as 0,
 * values above (and +Infinity) {@link MAX_TRACKED_LATENCY_US} as that maximum — recording never throws, because it
 * runs on the request path.
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private total = 0;
  private sum = 0;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;

  /** Number of values recorded. */
  get count(): number {
    return this.total;
  }

  /** Smallest value recorded, or `undefined` when empty. */
  get min(): number | undefined {
    return this.total === 0 ? undefined : this.lowest;
  }

  /** Largest value recorded, or `undefined` when empty. */
  get max(): number | undefined {
    return this.total === 0 ? undefined : this.highest;
  }

  /** Mean of the values recorded (exact), or `undefined` when empty. */
  get mean(): number | undefined {
    return this.total === 0 ? undefined : this.sum / this.total;
  }

  /** Records one latency in microseconds. */
  record(us: number): void {
    const value = us > 0 ? Math.min(round(us), MAX_TRACKED_LATENCY_US) : 0;
    this.counts[bucketOf(value)] += 1;
    this.total += 1;
    this.sum += value;
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
  }

  /**
   * The value at quantile `q` (0 = min, 0.5 = median, 1 = max) in microseconds: the middle of
   * the bucket holding the `ceil(q × count)`-th value, clamped to the recorded min/max.
   * `undefined` when nothing was recorded.
   *
   * @throws {RangeError} when `q` is not a number in [0, 1].
   */
  quantile(q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q is ${q}, expected a number in [0, 1]`);
    if (this.total === 0) return undefined;
    if (q === 0) return this.lowest;
    if (q === 1) return this.highest;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      seen += this.counts[bucket] ?? 0;
      if (seen >= rank) {
        const { low, high } = bucketBounds(bucket);
        return Math.min(this.highest, Math.max(this.lowest, round((low + high) / 2)));
      }
    }
    return this.highest;
  }

  /** Forgets every value. */
  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.lowest = Number.POSITIVE_INFINITY;
    this.highest = Number.NEGATIVE_INFINITY;
  }
}

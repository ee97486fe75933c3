import type { LatencyStats } from '../scenario';

/**
 * Exact percentiles of one measured series: the samples are sorted and the p-th percentile is
 * the nearest-rank sample (no interpolation, no histogram buckets). `latenciesMs` holds every
 * request, failed ones included (timed until they failed); `errors` says how many failed.
 */
export function statsOf(latenciesMs: readonly number[], errors: number): LatencyStats {
  const sorted = Float64Array.from(latenciesMs).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    errors,
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    p999: percentileOfSorted(sorted, 99.9),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  };
}

/** The nearest-rank `p`-th percentile (0–100) of ascending `sorted`; NaN when empty. */
export function percentileOfSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** `1.2345` → `"1.23"` (3 significant decimals below 1); `NaN` → `n/a`. For tables and lines. */
export function fixed(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (digits !== undefined) return value.toFixed(digits);
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude >= 100 ? 0 : magnitude >= 1 ? 2 : 3);
}

/** One line for a log: `p50 0.41 / p99 1.20 / p99.9 3.40 ms (2000 requests, 0 errors)`. */
export function statsLine(stats: LatencyStats): string {
  return `p50 ${fixed(stats.p50)} / p99 ${fixed(stats.p99)} / p99.9 ${fixed(stats.p999)} ms (${stats.count} requests, ${stats.errors} errors)`;
}

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** Latency percentiles (ms) of a set of timed calls, and their rate. */
export interface LoadStats {
  calls: number;
  failed: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** The `p`-th percentile (0–100) of `samples`, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Calls `call` `count` times, one after the other, and times each call. */
export async function sequential(count: number, call: () => Promise<unknown>): Promise<LoadStats> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const before = performance.now();
    await call().catch(() => (failed += 1));
    latencies.push(performance.now() - before);
  }
  return statsOf(latencies, failed, performance.now() - started);
}

/** A closed loop: `concurrency` callers each call `call` again as soon as the last call answered, for `durationMs`. */
export async function closedLoop(concurrency: number, durationMs: number, call: () => Promise<unknown>): Promise<LoadStats> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const end = started + durationMs;
  const caller = async (): Promise<void> => {
    while (performance.now() < end) {
      const before = performance.now();
      await call().catch(() => (failed += 1));
      latencies.push(performance.now() - before);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return statsOf(latencies, failed, performance.now() - started);
}

function statsOf(latencies: readonly number[], failed: number, elapsedMs: number): LoadStats {
  return { calls: latencies.length, failed, perSecond: (latencies.length / elapsedMs) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Event-loop delay of this process (1 ms resolution) while `work` runs: p50, p99 and max in ms. */
export async function eventLoopLagDuring(work: () => Promise<unknown>): Promise<{ p50: number; p99: number; max: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

/** `1.234` → `"1.23"`; for tables. */
export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

// Scenario 8 of issue 9: a soak. Steady open-loop load (REST /v1 entity-row predicts through
// the gateway at 100 requests/s) for 10 minutes after a warm-up, while the resident memory of the
// five service processes (/proc/<pid>/status VmRSS), their V8 heap in use and their event-loop
// delay (prom-client's nodejs_heap_size_used_bytes and nodejs_eventloop_lag_p99_seconds on each
// service's /metrics) are sampled every 5 s.
// Targets: RSS growth <= 64 MiB and event-loop lag p99 <= 5 ms, for each service.
import { PLATFORM_SERVICES as SERVICES, type ServiceName } from '@strata/testing';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LoadResult, runOpenLoop } from '../harness/load';
import { rssMiB } from '../harness/proc';
import { fixed } from '../harness/stats';
import type { BenchContext, BenchPlatform, Figure, Scenario, ScenarioResult, TargetResult } from '../scenario';
import { restRowsTarget } from './predict-with-features';

const RATE = 100;
const SOAK_SECONDS = { full: 600, quick: 30 };
const WARMUP_SECONDS = { full: 20, quick: 10 };
const SAMPLE_MS = 5_000;
const TIMEOUT_MS = 5_000;
const RSS_GROWTH_BOUND_MIB = 64;
const LAG_P99_BOUND_MS = 5;
/**
 * prom-client samples the event loop with perf_hooks.monitorEventLoopDelay at a 10 ms
 * resolution (its default eventLoopMonitoringPrecision), and that histogram records the whole
 * interval between timer wake-ups: an idle loop reads 10 ms. The lag is the reading minus this.
 */
const LAG_RESOLUTION_MS = 10;
const LAG_METRIC = 'nodejs_eventloop_lag_p99_seconds';
const HEAP_METRIC = 'nodejs_heap_size_used_bytes';
const MIB = 1024 * 1024;

/** Soak seconds after the warm-up: BENCH_SOAK_SECONDS wins over the mode's default. */
function soakSeconds(quick: boolean): number {
  const fromEnv = Number(process.env['BENCH_SOAK_SECONDS']);
  if (process.env['BENCH_SOAK_SECONDS'] !== undefined && Number.isFinite(fromEnv) && fromEnv > 0) return Math.round(fromEnv);
  return quick ? SOAK_SECONDS.quick : SOAK_SECONDS.full;
}

/** One /metrics scrape: the event-loop delay p99 (ms, the raw reading) since the previous scrape (prom-client resets its histogram on each) and the V8 heap in use (MiB). NaN when absent. */
async function scrape(httpUrl: string | undefined): Promise<{ lagMs: number; heapMiB: number }> {
  const none = { lagMs: Number.NaN, heapMiB: Number.NaN };
  if (httpUrl === undefined) return none;
  try {
    const response = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return none;
    const lines = (await response.text()).split('\n');
    const valueOf = (metric: string): number => {
      const line = lines.find((candidate) => candidate.startsWith(`${metric}{`) || candidate.startsWith(`${metric} `));
      const value = Number(line?.slice(line.lastIndexOf(' ') + 1));
      return line === undefined || !Number.isFinite(value) ? Number.NaN : value;
    };
    return { lagMs: valueOf(LAG_METRIC) * 1000, heapMiB: valueOf(HEAP_METRIC) / MIB };
  } catch {
    return none;
  }
}

interface Sample {
  /** Seconds since the load was started. */
  readonly at: number;
  readonly rss: ReadonlyMap<ServiceName, number>;
  /** V8 heap in use (live and not yet collected), MiB. */
  readonly heap: ReadonlyMap<ServiceName, number>;
  /** Raw event-loop delay p99 readings (ms) over the last interval. */
  readonly lag: ReadonlyMap<ServiceName, number>;
}

async function sample(platform: BenchPlatform, at: number): Promise<Sample> {
  const rss = new Map(SERVICES.map((service) => [service, rssMiB(platform.processes.process(service)?.child.pid)]));
  const readings = await Promise.all(SERVICES.map((service) => scrape(platform.processes.process(service)?.httpUrl)));
  return {
    at,
    rss,
    heap: new Map(SERVICES.map((service, index) => [service, readings[index]?.heapMiB ?? Number.NaN])),
    lag: new Map(SERVICES.map((service, index) => [service, readings[index]?.lagMs ?? Number.NaN])),
  };
}

interface ServiceSummary {
  readonly service: ServiceName;
  readonly rssStart: number;
  readonly rssEnd: number;
  readonly rssMax: number;
  /** V8 heap in use: at start, at end, and the lowest of the last quarter of the soak (what survives collections). */
  readonly heapStart: number;
  readonly heapEnd: number;
  readonly heapFloorLastQuarter: number;
  /** Lag (reading minus the resolution), worst and median over the samples after the warm-up. */
  readonly lagWorst: number;
  readonly lagMedian: number;
  readonly lagSamples: number;
}

function summarize(samples: readonly Sample[], warmupSeconds: number): ServiceSummary[] {
  const measured = samples.filter((one) => one.at >= warmupSeconds - 0.5);
  return SERVICES.map((service) => {
    const rss = measured.map((one) => one.rss.get(service) ?? Number.NaN);
    const heap = measured.map((one) => one.heap.get(service) ?? Number.NaN);
    const lastQuarter = heap.slice(Math.floor((heap.length * 3) / 4)).filter(Number.isFinite);
    // The first sample after the warm-up covers the warm-up's last interval: lag from the second on.
    const lags = measured
      .slice(1)
      .map((one) => (one.lag.get(service) ?? Number.NaN) - LAG_RESOLUTION_MS)
      .filter(Number.isFinite)
      .map((lag) => Math.max(0, lag))
      .sort((a, b) => a - b);
    return {
      service,
      rssStart: rss[0] ?? Number.NaN,
      rssEnd: rss.at(-1) ?? Number.NaN,
      rssMax: rss.length === 0 ? Number.NaN : Math.max(...rss),
      heapStart: heap[0] ?? Number.NaN,
      heapEnd: heap.at(-1) ?? Number.NaN,
      heapFloorLastQuarter: lastQuarter.length === 0 ? Number.NaN : Math.min(...lastQuarter),
      lagWorst: lags.length === 0 ? Number.NaN : (lags.at(-1) as number),
      lagMedian: lags.length === 0 ? Number.NaN : (lags[Math.ceil(lags.length / 2) - 1] as number),
      lagSamples: lags.length,
    };
  });
}

export const soakScenario: Scenario = {
  name: 'soak',
  title: 'Soak: RSS and event-loop lag of the five services over 10 minutes of 100 requests/s (open loop)',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const platform = await context.platform();
    const seconds = soakSeconds(context.quick);
    const warmupSeconds = context.quick ? WARMUP_SECONDS.quick : WARMUP_SECONDS.full;
    const totalSeconds = warmupSeconds + seconds;
    context.log(`soak: ${RATE}/s entity-row predicts for ${warmupSeconds} s warm-up + ${seconds} s, sampling every ${SAMPLE_MS / 1000} s`);

    const started = performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    let load: LoadResult | undefined;
    let loadError: unknown;
    const loading = runOpenLoop({ target: restRowsTarget(platform), ratePerSecond: RATE, count: RATE * totalSeconds, timeoutMs: TIMEOUT_MS, warmup: 50 }).then(
      (result) => {
        load = result;
      },
      (error: unknown) => {
        loadError = error ?? new Error('the load failed');
      },
    );
    // A scrape resets prom-client's histogram: the first one starts the first interval.
    const samples: Sample[] = [await sample(platform, 0)];
    let next = SAMPLE_MS;
    while (load === undefined && loadError === undefined) {
      const wait = started + next - performance.now();
      const finished = await Promise.race([sleep(Math.max(0, wait)).then(() => false), loading.then(() => true)]);
      if (finished) break;
      const one = await sample(platform, elapsed());
      samples.push(one);
      next += SAMPLE_MS;
      if (samples.length % 12 === 1) context.log(`t=${fixed(one.at, 0)} s: RSS / heap ${SERVICES.map((service) => `${service} ${fixed(one.rss.get(service) ?? Number.NaN, 0)} / ${fixed(one.heap.get(service) ?? Number.NaN, 0)}`).join(', ')} MiB`);
    }
    await loading;
    if (load === undefined) throw loadError instanceof Error ? loadError : new Error(String(loadError));
    const result: LoadResult = load;
    context.log(`load: p50 ${fixed(result.stats.p50)} / p99 ${fixed(result.stats.p99)} ms, ${result.errors}/${result.sent} errors over ${fixed(result.durationMs / 1000, 0)} s`);

    const summaries = summarize(samples, warmupSeconds);
    const figures: Figure[] = [
      { name: `load errors (${result.sent} requests @${RATE}/s)`, value: result.errors, unit: 'count' },
      { name: `load p50 @${RATE}/s`, value: result.stats.p50, unit: 'ms' },
      { name: `load p99 @${RATE}/s`, value: result.stats.p99, unit: 'ms' },
      { name: `load p99.9 @${RATE}/s`, value: result.stats.p999, unit: 'ms' },
    ];
    const targets: TargetResult[] = [];
    for (const one of summaries) {
      figures.push({ name: `${one.service} RSS at start (after the ${warmupSeconds} s warm-up)`, value: one.rssStart, unit: 'MiB' });
      figures.push({ name: `${one.service} RSS at end`, value: one.rssEnd, unit: 'MiB', baseline: { name: 'at start', value: one.rssStart } });
      figures.push({ name: `${one.service} RSS growth`, value: one.rssEnd - one.rssStart, unit: 'MiB', baseline: { name: 'bound', value: RSS_GROWTH_BOUND_MIB } });
      figures.push({ name: `${one.service} RSS max`, value: one.rssMax, unit: 'MiB' });
      figures.push({ name: `${one.service} V8 heap used at start`, value: one.heapStart, unit: 'MiB' });
      figures.push({ name: `${one.service} V8 heap used, lowest in the last quarter`, value: one.heapFloorLastQuarter, unit: 'MiB', baseline: { name: 'at start', value: one.heapStart } });
      figures.push({ name: `${one.service} event-loop lag p99, worst ${SAMPLE_MS / 1000} s sample`, value: one.lagWorst, unit: 'ms', baseline: { name: 'bound', value: LAG_P99_BOUND_MS } });
      figures.push({ name: `${one.service} event-loop lag p99, median sample`, value: one.lagMedian, unit: 'ms' });
      const growth = one.rssEnd - one.rssStart;
      targets.push({
        name: `${one.service}: RSS growth <= ${RSS_GROWTH_BOUND_MIB} MiB over the soak`,
        pass: Number.isFinite(growth) && growth <= RSS_GROWTH_BOUND_MIB,
        detail: `${fixed(one.rssStart, 1)} -> ${fixed(one.rssEnd, 1)} MiB = ${fixed(growth, 1)} MiB (max ${fixed(one.rssMax, 1)}) vs ${RSS_GROWTH_BOUND_MIB} MiB`,
      });
      targets.push({
        name: `${one.service}: event-loop lag p99 <= ${LAG_P99_BOUND_MS} ms (worst sample)`,
        pass: Number.isFinite(one.lagWorst) && one.lagWorst <= LAG_P99_BOUND_MS,
        detail: Number.isFinite(one.lagWorst)
          ? `worst ${SAMPLE_MS / 1000} s p99 ${fixed(one.lagWorst)} ms (median ${fixed(one.lagMedian)} ms over ${one.lagSamples} samples) vs ${LAG_P99_BOUND_MS} ms`
          : `no ${LAG_METRIC} reading from ${one.service}'s /metrics`,
      });
    }
    return {
      scenario: 'soak',
      title: this.title,
      figures,
      targets,
      notes: [
        `Load: REST /v1 ${platform.model.name} predict with one entity row (gateway -> inference-service -> feature-service) at ${RATE}/s, open loop from a separate process, ${warmupSeconds} s warm-up + ${seconds} s soak (${totalSeconds * RATE} requests; BENCH_SOAK_SECONDS sets the soak part, default ${SOAK_SECONDS.full} s, ${SOAK_SECONDS.quick} s with --quick). Registry and training-runner idle alongside.`,
        `Every ${SAMPLE_MS / 1000} s: VmRSS of each service process from /proc/<pid>/status, and ${LAG_METRIC} and ${HEAP_METRIC} from each service's /metrics. A heap whose lowest reading late in the soak is near its start while RSS grows is the allocator keeping pages, not a leak. "At start" is the first sample after the warm-up, "at end" the last one; growth = end - start.`,
        `Event-loop lag: prom-client's monitorEventLoopDelay histogram (resolution ${LAG_RESOLUTION_MS} ms, reset at every scrape, so each sample is the p99 of the last ${SAMPLE_MS / 1000} s) records the whole interval between wake-ups, so an idle loop reads ${LAG_RESOLUTION_MS} ms: the lag reported is the reading minus ${LAG_RESOLUTION_MS} ms. The target is judged on the worst sample after the warm-up; the first post-warm-up sample is skipped (it covers warm-up time).`,
      ],
    };
  },
};

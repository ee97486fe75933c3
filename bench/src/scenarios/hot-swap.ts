// Scenario 7 of issue 9: hot swap under load. While an open-loop load of tensor-only REST
// predicts (OIP /v2 infer on the production alias, through the gateway) runs at 300 requests/s,
// the `production` alias moves between v1 and a second trained version of flight-delay 100
// times, each move waiting until inference-service serves the new version. Target: no failed
// request. Ends with production on v1, as the other scenarios expect.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LoadResult, runOpenLoop, startOpenLoop } from '../harness/load';
import { fixed, percentileOfSorted } from '../harness/stats';
import type { BenchContext, BenchPlatform, Figure, Scenario, ScenarioResult } from '../scenario';
import { restTensorTarget } from './predict-with-features';

const RATE = 300;
const SWAPS = { full: 100, quick: 10 };
const BASELINE_SECONDS = { full: 10, quick: 3 };
const TIMEOUT_MS = 5_000;
const WARMUP = 100;
const SETTLE_MS = 1_000;
const PRODUCTION = 'production';
/** After the load worker is forked: its start, connection and warm-up calls, before the first swap. */
const LEAD_IN_MS = 3_000;
/** Load after the last swap, before the load is stopped. */
const TAIL_MS = 2_000;
/** Upper bound of the load (it is stopped after the last swap): swaps slower than this fail the run. */
const MAX_LOAD_SECONDS = 600;
const SERVE_TIMEOUT_MS = 60_000;
const TRAIN_TIMEOUT_MS = 600_000;
const POLL_MS = 10;

interface JobView {
  readonly id: string;
  readonly status: string;
  readonly registeredVersion?: number;
  readonly error?: unknown;
}

/** flight-delay v2: the example job spec with another seed and depth (other bytes: the registry dedups identical ones). */
async function secondVersion(context: BenchContext, platform: BenchPlatform): Promise<number> {
  const spec = JSON.parse(readFileSync(path.join(context.workspaceRoot, 'examples/flights/flight-delay.gbdt.job.json'), 'utf8')) as { seed: number; gbdt: object };
  const { training } = platform.clients;
  const { job } = await training.call<{ job: JobView }>('submitJob', { spec: { ...spec, seed: 7, gbdt: { ...spec.gbdt, maxDepth: 4 } }, idempotencyKey: 'bench:hot-swap' });
  const deadline = Date.now() + TRAIN_TIMEOUT_MS;
  for (;;) {
    const { job: current } = await training.call<{ job: JobView }>('getJob', { id: job.id });
    if (current.status === 'JOB_STATUS_FAILED' || current.status === 'JOB_STATUS_CANCELLED') throw new Error(`training the second version: ${current.status} ${JSON.stringify(current.error ?? '')}`);
    if (current.status === 'JOB_STATUS_SUCCEEDED') {
      const version = Number(current.registeredVersion);
      if (!(version > 0) || version === platform.model.version) throw new Error(`the second training job registered version ${String(current.registeredVersion)}`);
      return version;
    }
    if (Date.now() > deadline) throw new Error(`the second training job did not finish within ${TRAIN_TIMEOUT_MS / 1000} s`);
    await sleep(500);
  }
}

async function productionVersion(platform: BenchPlatform): Promise<number> {
  const { alias } = await platform.clients.registry.call<{ alias: { version: number } }>('getAlias', { modelName: platform.model.name, alias: PRODUCTION });
  return Number(alias.version);
}

async function servedVersion(platform: BenchPlatform): Promise<number | undefined> {
  const answer = await platform.clients.inference.call<{ status?: { aliases?: Record<string, number> } }>('getModelStatus', { modelName: platform.model.name }).catch(() => undefined);
  const version = answer?.status?.aliases?.[PRODUCTION];
  return version === undefined ? undefined : Number(version);
}

interface Swap {
  readonly from: number;
  readonly to: number;
  readonly startedAt: number;
  /** SetAlias acknowledged by the registry. */
  readonly setMs: number;
  /** From the acknowledgement until inference-service served `to` as production. */
  readonly serveMs: number;
  readonly endedAt: number;
}

/** Moves production from `from` to `to` (compare-and-set) and waits until inference-service serves it. */
async function swap(platform: BenchPlatform, from: number, to: number): Promise<Swap> {
  const startedAt = performance.now();
  await platform.clients.registry.call('setAlias', { modelName: platform.model.name, alias: PRODUCTION, version: to, expectedCurrentVersion: from, reason: 'bench hot-swap' });
  const setAt = performance.now();
  for (;;) {
    if ((await servedVersion(platform)) === to) break;
    if (performance.now() - setAt > SERVE_TIMEOUT_MS) throw new Error(`inference-service did not serve v${to} within ${SERVE_TIMEOUT_MS / 1000} s of the alias move`);
    await sleep(POLL_MS);
  }
  const endedAt = performance.now();
  return { from, to, startedAt, setMs: setAt - startedAt, serveMs: endedAt - setAt, endedAt };
}

/** Puts production back on `version` (whatever it points at now) and waits until it is served. */
async function restore(platform: BenchPlatform, version: number): Promise<void> {
  const current = await productionVersion(platform);
  if (current !== version) await swap(platform, current, version);
}

function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

interface SwapRun {
  readonly load: LoadResult;
  readonly swaps: readonly Swap[];
  /** Swaps that started after the measured load's first send and ended before its last answer. */
  readonly underLoad: number;
  readonly loadSeconds: number;
}

/**
 * Starts the load (a separate process), waits for its lead-in, makes `count` swaps back and
 * forth, lets the load run TAIL_MS more and stops it: the load lasts exactly as long as the swaps
 * (bounded by MAX_LOAD_SECONDS). The load's window is recovered from its duration, so a swap
 * outside it (only when the load died early) is not counted as under load.
 */
async function swapUnderLoad(context: BenchContext, platform: BenchPlatform, versions: readonly [number, number], count: number): Promise<SwapRun> {
  const forkedAt = performance.now();
  const loading = startOpenLoop({ target: restTensorTarget(platform), ratePerSecond: RATE, count: RATE * MAX_LOAD_SECONDS, timeoutMs: TIMEOUT_MS, warmup: WARMUP });
  let loadDoneAt: number | undefined;
  const loadDone = loading.result.then(
    () => (loadDoneAt = performance.now()),
    () => (loadDoneAt = performance.now()),
  );
  const swaps: Swap[] = [];
  try {
    await Promise.race([sleep(LEAD_IN_MS), loadDone]);
    let [from, to] = versions;
    while (swaps.length < count && loadDoneAt === undefined) {
      swaps.push(await swap(platform, from, to));
      [from, to] = [to, from];
    }
    await Promise.race([sleep(TAIL_MS), loadDone]);
  } finally {
    // Whatever happened to the swaps, the load stops and is waited for.
    loading.stop();
    await loadDone;
  }
  const load = await loading.result;
  const doneAt = loadDoneAt ?? performance.now();
  const loadStart = doneAt - load.durationMs;
  const underLoad = swaps.filter((one) => one.startedAt >= loadStart && one.endedAt <= doneAt).length;
  const loadSeconds = Math.round((doneAt - forkedAt) / 100) / 10;
  context.log(`${swaps.length} swaps in ${fixed((swaps.at(-1)?.endedAt ?? forkedAt) - (swaps[0]?.startedAt ?? forkedAt), 0)} ms, ${underLoad} inside the load's window; load ${loadSeconds} s`);
  return { load, swaps, underLoad, loadSeconds };
}

export const hotSwapScenario: Scenario = {
  name: 'hot-swap',
  title: 'Hot swap: production moved between two versions 100 times under 300 requests/s (open loop), no failed request',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const platform = await context.platform();
    const { name, version: v1 } = platform.model;
    const count = context.quick ? SWAPS.quick : SWAPS.full;
    const baselineSeconds = context.quick ? BASELINE_SECONDS.quick : BASELINE_SECONDS.full;
    context.log(`training a second version of ${name} (another seed and depth)`);
    const v2 = await secondVersion(context, platform);
    context.log(`${name} v${v2} registered`);
    let run: SwapRun | undefined;
    let warmSwaps: Swap[];
    let baseline: LoadResult;
    try {
      if ((await productionVersion(platform)) !== v1) throw new Error(`production is not on v${v1} at the start`);
      // Two swaps without load: both versions loaded once before the measured ones.
      warmSwaps = [await swap(platform, v1, v2), await swap(platform, v2, v1)];
      context.log(`unloaded swaps: ${warmSwaps.map((one) => `v${one.from}->v${one.to} ${fixed(one.endedAt - one.startedAt, 0)} ms`).join(', ')}`);

      await sleep(SETTLE_MS);
      baseline = await runOpenLoop({ target: restTensorTarget(platform), ratePerSecond: RATE, count: RATE * baselineSeconds, timeoutMs: TIMEOUT_MS, warmup: WARMUP });
      context.log(`baseline @${RATE}/s without swaps: p50 ${fixed(baseline.stats.p50)} / p99 ${fixed(baseline.stats.p99)} ms, ${baseline.errors}/${baseline.sent} errors`);

      await sleep(SETTLE_MS);
      run = await swapUnderLoad(context, platform, [v1, v2], count);
      const samples = run.load.errorSamples.length > 0 ? ` e.g. ${run.load.errorSamples.join(' | ')}` : '';
      context.log(`during swaps @${RATE}/s: p50 ${fixed(run.load.stats.p50)} / p99 ${fixed(run.load.stats.p99)} ms, ${run.load.errors}/${run.load.sent} errors${samples}`);
    } finally {
      // Other scenarios (and a later run of this one) expect v1 in production.
      await restore(platform, v1);
    }

    const { load, swaps, underLoad } = run;
    const totalMs = (swaps.at(-1)?.endedAt ?? 0) - (swaps[0]?.startedAt ?? 0);
    const swapsPerSecond = swaps.length === 0 ? Number.NaN : (swaps.length / totalMs) * 1000;
    const setMs = swaps.map((one) => one.setMs);
    const serveMs = swaps.map((one) => one.serveMs);
    const figures: Figure[] = [
      { name: `failed requests during the swaps @${RATE}/s`, value: load.errors, unit: 'count' },
      { name: `requests sent during the swap load`, value: load.sent, unit: 'count' },
      { name: `swaps done under load`, value: underLoad, unit: 'count', baseline: { name: 'swaps asked for', value: count } },
      { name: `p50 during the swaps @${RATE}/s`, value: load.stats.p50, unit: 'ms', baseline: { name: 'same rate without swaps p50', value: baseline.stats.p50 } },
      { name: `p99 during the swaps @${RATE}/s`, value: load.stats.p99, unit: 'ms', baseline: { name: 'same rate without swaps p99', value: baseline.stats.p99 } },
      { name: `p99.9 during the swaps @${RATE}/s`, value: load.stats.p999, unit: 'ms', baseline: { name: 'same rate without swaps p99.9', value: baseline.stats.p999 } },
      { name: `max during the swaps @${RATE}/s`, value: load.stats.max, unit: 'ms', baseline: { name: 'same rate without swaps max', value: baseline.stats.max } },
      { name: `errors of the baseline without swaps @${RATE}/s`, value: baseline.errors, unit: 'count' },
      { name: 'swaps per second achieved (alias move + until served)', value: swapsPerSecond, unit: 'rps' },
      { name: 'SetAlias p50 (registry acknowledged, gate evaluated)', value: percentile(setMs, 50), unit: 'ms' },
      { name: 'SetAlias p99', value: percentile(setMs, 99), unit: 'ms' },
      { name: 'time until inference serves the new version p50 (from the acknowledged move)', value: percentile(serveMs, 50), unit: 'ms' },
      { name: 'time until inference serves the new version p99', value: percentile(serveMs, 99), unit: 'ms' },
    ];
    const pass = load.errors === 0 && underLoad === count;
    return {
      scenario: 'hot-swap',
      title: this.title,
      figures,
      targets: [
        {
          name: `0 failed requests across ${count} swaps at ${RATE} requests/s`,
          pass,
          detail: `${load.errors} of ${load.sent} requests failed; ${underLoad} of ${count} swaps inside the load's window${load.errorSamples.length > 0 ? ` (${load.errorSamples.join(' | ')})` : ''}`,
        },
      ],
      notes: [
        `${name} v${v1} (the quickstart's) and v${v2} (the example job spec with seed 7 and maxDepth 4, trained in this run, idempotency key bench:hot-swap); production moved by SetAlias with expected_current_version through its gate (auc >= 0.55, feature contract served), then GetModelStatus on inference-service polled every ${POLL_MS} ms until its production alias is the new version; the next swap starts only then.`,
        `Load: OIP REST /v2/models/${name}/infer (production alias, tensor only) through the gateway, open loop at ${RATE}/s from a separate process (${WARMUP} warm-up calls, timeout ${TIMEOUT_MS} ms) for ${run.loadSeconds} s: the swaps start ${LEAD_IN_MS / 1000} s after the load process, and the load is stopped ${TAIL_MS / 1000} s after the last swap, so the load window holds every swap and a few seconds without one at both ends. A swap counts as under load when it began after the load's first send and ended before its last answer.`,
        `Baseline: the same load for ${baselineSeconds} s without swaps, measured right before. Two unloaded swaps (v${v1} -> v${v2} -> v${v1}) came first, so both versions had been loaded once (${warmSwaps.map((one) => `${fixed(one.endedAt - one.startedAt, 0)} ms`).join(', ')}).`,
        `Production is back on v${v1} at the end (as the other scenarios expect).`,
      ],
    };
  },
};

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { buildTreeEnsembleModel, randomFeatureRows, TREE_MODEL_INPUT } from '@strata/testing';

import { type InferenceTensor, type LoadedModel, loadModel } from '../src/model-runtime';
import { closedLoop, fixed, percentile } from './load-stats';

type LagProbe = (work: () => Promise<unknown>) => Promise<{ p50: number; p99: number; max: number }>;

const FEATURES = 7;

function inputOf(rows: number, seed: number): Record<string, InferenceTensor> {
  return { [TREE_MODEL_INPUT]: { datatype: 'FP32', shape: [rows, FEATURES], data: randomFeatureRows(rows, FEATURES, seed) } };
}

async function loadTrees(trees: number, depth: number, maxBatchSize: number): Promise<LoadedModel> {
  const bytes = buildTreeEnsembleModel({ trees, depth, featureCount: FEATURES });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return loadModel({ modelName: `trees-${trees}x${depth}`, version: 1, sha256, bytes, batching: { maxBatchSize, maxQueueDelayMs: 0 } });
}

/**
 * 3b. Event-loop lag in this process (monitorEventLoopDelay, 1 ms resolution) while 16 callers
 * send 16-row requests to a batched LoadedModel (runs of up to 256 rows), for the flights-like
 * model and a heavy one (300 trees of depth 8), against the idle lag of the same process; and
 * what that lag does to a 1-row request of a light model served next to it.
 */
export async function measureInProcessLag(seconds: number, lagDuring: LagProbe): Promise<void> {
  const light = await loadTrees(100, 6, 32);
  const idle = await lagDuring(() => new Promise((resolve) => setTimeout(resolve, seconds * 1000)));
  console.log('\n3b. Event-loop lag in the bench process (monitorEventLoopDelay, 1 ms resolution), 16 callers x 16 rows, batching up to 256 rows, delay 0');
  console.log(`   idle: p50 ${fixed(idle.p50)} p99 ${fixed(idle.p99)} max ${fixed(idle.max)} ms`);
  for (const [trees, depth] of [
    [100, 6],
    [300, 8],
  ] as const) {
    const model = await loadTrees(trees, depth, 256);
    const runMs = await oneRunMs(model, 256);
    let stop = false;
    const lightLatencies: number[] = [];
    let stats = { perSecond: 0 };
    const lag = await lagDuring(async () => {
      const load = closedLoop(16, seconds * 1000, () => model.predict(inputOf(16, 3))).then((result) => {
        stop = true;
        stats = result;
      });
      while (!stop) {
        const before = performance.now();
        await light.predict(inputOf(1, 5));
        lightLatencies.push(performance.now() - before);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await load;
    });
    console.log(
      `   ${trees} trees x depth ${depth}: one 256-row run ${fixed(runMs)} ms; ${fixed(stats.perSecond * 16, 0)} rows/s; lag p50 ${fixed(lag.p50)} p99 ${fixed(lag.p99)} max ${fixed(lag.max)} ms` +
        ` (p99 ${fixed(lag.p99 / idle.p99, 1)}x idle); a co-served light model's 1-row predict p50 ${fixed(percentile(lightLatencies, 50))} p99 ${fixed(percentile(lightLatencies, 99))} ms`,
    );
    model.retire();
  }
  light.retire();
}

async function oneRunMs(model: LoadedModel, rows: number): Promise<number> {
  const input = inputOf(rows, 9);
  await model.predict(input);
  const timings: number[] = [];
  for (let run = 0; run < 20; run += 1) timings.push((await model.predictTimed(input)).inferenceMs);
  return percentile(timings, 50);
}

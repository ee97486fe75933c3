/**
 * What a model load costs the requests served meanwhile, in one process
 * (`node -r ./tools/dev/register-ts.js apps/inference-service/bench/model-load.bench.ts`;
 * options: `--loads N` (default 10), `--models 100x6,300x8` (trees x depth), `--hog`).
 *
 * A light model serves single-row predictions at 100 per second (open loop, as the gateway's
 * callers do) while `loadModel` loads, verifies and warms N versions of a tree ensemble one
 * after the other — each model twice: with the sha256 and the ONNX inspection on the event loop
 * (as before they moved to a worker thread) and as `loadModel` does it now. Printed per row: the
 * load's duration, the event-loop delay while a load runs
 * (`EventLoopStallProbe`, a 1 ms timer chain: the longest time nothing else could run) and the
 * latency of the predictions sent during the loads — their p99, max and how many took longer
 * than 250 ms and than 1 s (the gateway's default deadline).
 *
 * `--hog` reproduces a busy machine: a busy-loop child process and this process are pinned to
 * core 0 with `taskset` (when it exists), so the bench gets about half a core.
 *
 * Nothing is asserted; the hog is killed at the end, also when the bench fails.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import { inspectOnnxModel } from '@strata/onnx';
import { buildTreeEnsembleModel, randomFeatureRows, TREE_MODEL_INPUT } from '@strata/testing';

import { EventLoopStallProbe, type InferenceTensor, type LoadedModel, loadModel } from '../src/model-runtime';
import { fixed, percentile } from './load-stats';

const FEATURES = 7;
const REQUESTS_PER_SECOND = 100;
const TASKSET = '/usr/bin/taskset';

interface Options {
  loads: number;
  models: { trees: number; depth: number }[];
  hog: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const valueOf = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index < 0 ? undefined : argv[index + 1];
  };
  const loads = Number(valueOf('--loads') ?? 10);
  if (!Number.isInteger(loads) || loads < 1) throw new Error(`--loads expects a positive integer, got ${valueOf('--loads')}`);
  const models = (valueOf('--models') ?? '100x6,300x8').split(',').map((spec) => {
    const [trees, depth] = spec.split('x').map(Number);
    if (!Number.isInteger(trees) || !Number.isInteger(depth)) throw new Error(`--models expects trees x depth pairs (100x6,300x8), got ${spec}`);
    return { trees: trees as number, depth: depth as number };
  });
  return { loads, models, hog: argv.includes('--hog') };
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function oneRow(): Record<string, InferenceTensor> {
  return { [TREE_MODEL_INPUT]: { datatype: 'FP32', shape: [1, FEATURES], data: randomFeatureRows(1, FEATURES, 5) } };
}

/** A busy loop on core 0, with this process pinned there too; undefined without taskset. */
function startHog(): ChildProcess | undefined {
  if (!existsSync(TASKSET)) return undefined;
  const hog = spawn(TASKSET, ['-c', '0', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' });
  execFileSync(TASKSET, ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  return hog;
}

/**
 * Predictions at a fixed rate on `model` until `stop()`; returns their latencies (ms), each from
 * the moment it was due: a request due while the loop was blocked is sent late, as one from
 * outside would have waited in the socket, so a stall shows in the latencies.
 */
function serveSteadily(model: LoadedModel): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  const periodMs = 1000 / REQUESTS_PER_SECOND;
  let due = performance.now();
  const timer = setInterval(() => {
    for (; due <= performance.now(); due += periodMs) {
      const sent = due;
      const call = model.predict(oneRow()).then(
        () => void latencies.push(performance.now() - sent),
        () => void latencies.push(Number.POSITIVE_INFINITY),
      );
      pending.add(call);
      void call.finally(() => pending.delete(call));
    }
  }, periodMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return latencies;
    },
  };
}

/**
 * `worker`: `loadModel` as it is. `main thread`: the sha256 and the inspection first done on the
 * event loop, as `loadModel` did before it moved them to a worker thread (then `loadModel` as
 * is, whose main-thread share is the session creation and warm-up) — the before figure, measured
 * in the same run under the same load.
 */
type CheckMode = 'worker' | 'main thread';

async function measureModel(trees: number, depth: number, loads: number, light: LoadedModel, mode: CheckMode): Promise<void> {
  const versions = [1, 2].map((seed) => buildTreeEnsembleModel({ trees, depth, featureCount: FEATURES, seed }));
  const loadMs: number[] = [];
  const stallMs: number[] = [];
  const serving = serveSteadily(light);
  let previous: LoadedModel | undefined;
  for (let load = 0; load < loads; load += 1) {
    const bytes = versions[load % 2] as Uint8Array;
    const stall = EventLoopStallProbe.start(1);
    const started = performance.now();
    if (mode === 'main thread') {
      sha256Of(bytes);
      inspectOnnxModel(bytes);
    }
    const model = await loadModel({ modelName: `trees-${trees}x${depth}`, version: load + 1, sha256: sha256Of(bytes), bytes, batching: { maxBatchSize: 32, maxQueueDelayMs: 0 } });
    loadMs.push(performance.now() - started);
    stallMs.push(stall.stop());
    previous?.retire();
    previous = model;
    // Requests between loads, as between the registry's alias moves.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  previous?.retire();
  const latencies = await serving.stop();
  const over = (ms: number): number => latencies.filter((latency) => latency > ms).length;
  console.log(
    `| ${trees} x ${depth} (${fixed((versions[0]?.byteLength ?? 0) / 1024, 0)} KiB) | ${mode} | ${fixed(percentile(loadMs, 50), 0)} / ${fixed(Math.max(...loadMs), 0)} ` +
      `| ${fixed(percentile(stallMs, 50), 0)} / ${fixed(Math.max(...stallMs), 0)} ` +
      `| ${latencies.length} | ${fixed(percentile(latencies, 99), 0)} / ${fixed(Math.max(...latencies), 0)} | ${over(250)} | ${over(1000)} |`,
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const hog = options.hog ? startHog() : undefined;
  const stopHog = (): void => void hog?.kill('SIGKILL');
  process.once('exit', stopHog);
  try {
    const lightBytes = buildTreeEnsembleModel({ trees: 20, depth: 4, featureCount: FEATURES, seed: 3 });
    const light = await loadModel({ modelName: 'light', version: 1, sha256: sha256Of(lightBytes), bytes: lightBytes, batching: { maxBatchSize: 32, maxQueueDelayMs: 0 } });
    // The first session of a process pays onnxruntime's own start-up; measure steady loads.
    await loadModel({ modelName: 'first', version: 1, sha256: sha256Of(lightBytes), bytes: lightBytes }).then((model) => model.retire());
    console.log(`model loads while a light model serves ${REQUESTS_PER_SECOND} single-row predictions/s; ${options.loads} loads per model; load average ${os.loadavg().map((value) => fixed(value, 1)).join(' ')}${options.hog ? (hog === undefined ? ' (no taskset: no hog)' : '; a busy loop pinned to core 0 with this process') : ''}`);
    console.log('| model | sha256 + inspection on | load ms p50 / max | longest event-loop stall per load ms p50 / max | requests | latency ms p99 / max | > 250 ms | > 1 s |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const { trees, depth } of options.models) {
      for (const mode of ['main thread', 'worker'] as const) await measureModel(trees, depth, options.loads, light, mode);
    }
    light.retire();
  } finally {
    stopHog();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

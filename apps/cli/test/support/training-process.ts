import { buildServiceForTest, type ServiceBuild, type ServiceProcess, startServiceProcess, workspaceRoot } from '@strata/testing';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CliRun } from './run-cli';

const runFile = promisify(execFile);
const EXAMPLES = path.join(workspaceRoot, 'examples/flights');
const FLIGHTS_2K = path.join(path.dirname(require.resolve('vega-datasets')), '../data/flights-2k.json');

/** The `strata` CLI built from the current sources into its own folder (never the shared dist/cli). */
export interface CliBuild {
  readonly mainJs: string;
  remove(): Promise<void>;
}

/** Builds the CLI as apps/cli/build.sh does, into a fresh folder under tmp/ (so node_modules resolves). */
export async function buildCliForTest(): Promise<CliBuild> {
  await mkdir(path.join(workspaceRoot, 'tmp'), { recursive: true });
  const outDir = await mkdtemp(path.join(workspaceRoot, 'tmp', 'cli-build-'));
  const scriptPath = path.join(workspaceRoot, 'apps/cli/build.sh');
  const script = await readFile(scriptPath, 'utf8');
  const redirected = script.replace(/^out=.*$/m, 'out="$STRATA_BUILD_OUT"');
  if (redirected === script) throw new Error(`${scriptPath} no longer sets out=...; update buildCliForTest()`);
  await runFile('bash', ['-c', redirected, scriptPath], { cwd: workspaceRoot, env: { ...process.env, STRATA_BUILD_OUT: outDir } });
  return { mainJs: path.join(outDir, 'apps/cli/src/main.js'), remove: () => rm(outDir, { recursive: true, force: true }) };
}

/** Runs a built CLI as a child process, as a CI step would, with only `env` pointing it at services. */
export function runCliBuild(build: CliBuild, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const { STRATA_REGISTRY: _r, STRATA_FEATURES: _f, STRATA_TRAINING: _t, STRATA_TOKEN: _k, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [build.mainJs, ...args], { cwd: workspaceRoot, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
  });
}

/** feature-service with the flights example, training-runner using it, and a CLI to drive them. */
export interface TrainingPlatform {
  readonly cli: CliBuild;
  readonly features: ServiceProcess;
  readonly training: ServiceProcess;
  /** `strata <args>` with STRATA_FEATURES and STRATA_TRAINING set to the two processes. */
  strata(...args: string[]): Promise<CliRun>;
  /** Both services' output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Builds the CLI, feature-service and training-runner from the sources (each into its own folder
 * under tmp/), starts feature-service (PGlite) with the flights source, route_stats v1 and
 * flights-2k.json imported — through the CLI itself —, then training-runner (PGlite, one job at
 * a time) pointed at it.
 */
export async function startTrainingPlatform(): Promise<TrainingPlatform> {
  const folders = [mkdtempSync(path.join(tmpdir(), 'strata-cli-train-features-')), mkdtempSync(path.join(tmpdir(), 'strata-cli-train-imports-')), mkdtempSync(path.join(tmpdir(), 'strata-cli-train-runner-'))];
  const [featureData, importRoot, trainingData] = folders as [string, string, string];
  const builds: { remove(): Promise<void> }[] = [];
  const running: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    // training-runner first: it calls feature-service.
    for (const service of [...running].reverse()) await service.stop();
    await Promise.all(builds.map((build) => build.remove()));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  };
  try {
    const settled = await Promise.allSettled([buildCliForTest(), buildServiceForTest('feature-service'), buildServiceForTest('training-runner')]);
    for (const result of settled) if (result.status === 'fulfilled') builds.push(result.value);
    const [cli, featureBuild, trainingBuild] = settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [CliBuild, ServiceBuild, ServiceBuild];
    copyFileSync(FLIGHTS_2K, path.join(importRoot, 'flights-2k.json'));
    const features = await startServiceProcess(featureBuild, { DATA_DIR: featureData, IMPORT_ROOT: importRoot, LOG_LEVEL: 'warn' });
    running.push(features);
    const env = { STRATA_FEATURES: features.grpcAddress };
    for (const args of [
      ['sources', 'apply', path.join(EXAMPLES, 'flights.source.json')],
      ['feature-sets', 'apply', path.join(EXAMPLES, 'route_stats.v1.json')],
      ['import', 'flights', 'flights-2k.json', '--no-progress'],
    ]) {
      const run = await runCliBuild(cli, args, env);
      if (run.code !== 0) throw new Error(`strata ${args.join(' ')} exited ${String(run.code)}:\n${run.stdout}\n${run.stderr}\n${features.output()}`);
    }
    const training = await startServiceProcess(trainingBuild, { DATA_DIR: trainingData, FEATURE_SERVICE_ADDRESS: features.grpcAddress, TRAINING_CONCURRENCY: '1', LOG_LEVEL: 'warn' });
    running.push(training);
    return {
      cli,
      features,
      training,
      strata: (...args) => runCliBuild(cli, args, { STRATA_FEATURES: features.grpcAddress, STRATA_TRAINING: training.grpcAddress }),
      output: () => `--- training-runner ---\n${training.output()}\n--- feature-service ---\n${features.output()}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// Runs an app's own benchmark (apps/<service>/bench/<x>.sh) as a subprocess and reads the JSON
// it writes with `--json <file>`: bench/ may not import app code (module boundaries), so the
// scenarios that reuse an app bench go through its command line. The report shapes below mirror
// the `FeatureBenchReport` of apps/feature-service/bench/feature-bench.ts and the
// `TrainBenchReport` of apps/training-runner/bench/train-flights.ts; the `schema` field says
// which layout a file has, and a mismatch fails loudly instead of reading wrong numbers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchContext, LatencyStats } from '../scenario';

/** Output lines kept for the error message of a failed run. */
const TAIL_LINES = 25;

/** How one app bench is run. */
export interface AppBenchCommand {
  /** Scenario name, the prefix of every streamed line. */
  readonly scenario: string;
  /** The wrapper script, relative to the workspace root, e.g. `apps/feature-service/bench/feature-bench.sh`. */
  readonly script: string;
  /** Arguments after `--json <file>`. */
  readonly args: readonly string[];
  /** The `schema` the JSON must have. */
  readonly schema: string;
}

/**
 * Runs `bash <script> --json <tmp file> ...args` in the workspace root, streams its stdout and
 * stderr lines to `context.log` (prefixed with the scenario name) and returns the parsed JSON.
 * Rejects with the exit code and the last lines of output when it fails.
 */
export async function runAppBench<T extends { readonly schema: string }>(context: BenchContext, command: AppBenchCommand): Promise<T> {
  const directory = mkdtempSync(path.join(tmpdir(), `strata-bench-${command.scenario}-`));
  const jsonFile = path.join(directory, 'report.json');
  const argv = [command.script, '--json', jsonFile, ...command.args];
  context.log(`[${command.scenario}] bash ${argv.join(' ')}`);
  try {
    const tail: string[] = [];
    const child = spawn('bash', argv, { cwd: context.workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    // The wrappers `exec node`, so the child's pid is the benchmark itself: stop it if the runner exits first.
    const stopChild = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    process.once('exit', stopChild);
    const lines = (stream: NodeJS.ReadableStream, marker: string): Promise<void> =>
      new Promise((resolve) => {
        const reader = createInterface({ input: stream, crlfDelay: Infinity });
        reader.on('line', (line) => {
          tail.push(`${marker}${line}`);
          if (tail.length > TAIL_LINES) tail.shift();
          context.log(`[${command.scenario}] ${marker}${line}`);
        });
        reader.on('close', resolve);
      });
    const streamed = Promise.all([lines(child.stdout, ''), lines(child.stderr, 'stderr: ')]);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    }).finally(() => process.removeListener('exit', stopChild));
    await streamed;
    if (exit.code !== 0) {
      const how = exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
      throw new Error(`${command.scenario}: bash ${command.script} failed (${how}); last lines:\n${tail.join('\n')}`);
    }
    let report: T;
    try {
      report = JSON.parse(readFileSync(jsonFile, 'utf8')) as T;
    } catch (error) {
      throw new Error(`${command.scenario}: bash ${command.script} exited 0 but its --json file is unreadable: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (report.schema !== command.schema) throw new Error(`${command.scenario}: ${command.script} wrote schema ${String(report.schema)}, expected ${command.schema}`);
    return report;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// --- apps/feature-service/bench/feature-bench.ts ---------------------------------------------

export const FEATURE_BENCH_SCHEMA = 'strata.feature-bench/1';

/** Rows of flights-3m.parquet a `--quick` feature bench imports (as NDJSON); a full run imports the whole parquet file. */
export const FEATURE_BENCH_QUICK_ROWS = 200_000;

/** One latency series of the feature bench (the fields of LatencyStats). */
export type FeatureBenchLatencies = LatencyStats;

/** The JSON of `feature-bench.ts --json` (its `FeatureBenchReport`). */
export interface FeatureBenchReport {
  readonly schema: typeof FEATURE_BENCH_SCHEMA;
  readonly node: string;
  readonly rowsRequested: number | null;
  readonly input: { readonly file: string; readonly format: string; readonly prepareSeconds: number };
  readonly import: { readonly seconds: number; readonly rowsRead: number; readonly rowsAccepted: number; readonly rowsRejected: number; readonly rowsPerSecond: number };
  readonly materializations: readonly { readonly featureSet: string; readonly seconds: number; readonly valuesWritten: number; readonly events: number; readonly eventsPerSecond: number }[];
  readonly phases: readonly { readonly name: string; readonly kind: 'import' | 'materialize'; readonly seconds: number; readonly events: number; readonly eventsPerSecond: number }[];
  readonly total: { readonly seconds: number; readonly aimSeconds: number; readonly withinAim: boolean };
  readonly trainingSet: { readonly rows: number; readonly buildSeconds: number; readonly buildRowsPerSecond: number; readonly readSeconds: number; readonly readRowsPerSecond: number };
  readonly online: {
    readonly featureSet: string;
    readonly entitiesSampled: number;
    readonly rounds: { readonly warmup: number; readonly one: number; readonly hundred: number };
    readonly baseline: { readonly one: FeatureBenchLatencies; readonly hundred: FeatureBenchLatencies };
    readonly cached: { readonly one: FeatureBenchLatencies; readonly hundred: FeatureBenchLatencies };
    readonly cachedInProcess: { readonly one: FeatureBenchLatencies; readonly hundred: FeatureBenchLatencies };
    readonly uncached: { readonly one: FeatureBenchLatencies; readonly hundred: FeatureBenchLatencies };
    readonly cacheDuringCachedSeries: { readonly hits: number; readonly misses: number };
  };
}

/**
 * One feature-bench run per runner process and mode, shared by `online-fetch` and
 * `import-materialize`: the online figures are measured on the data the import just
 * materialized, and a full import of flights-3m.parquet is too long to pay twice.
 */
const featureBenchRuns = new Map<string, Promise<FeatureBenchReport>>();

/** The feature bench's report for this context (`--quick`: the first 200,000 rows), run at most once. */
export function featureBench(context: BenchContext, scenario: string): Promise<FeatureBenchReport> {
  const key = `${context.workspaceRoot}\u0000${context.quick}`;
  const known = featureBenchRuns.get(key);
  if (known !== undefined) {
    context.log(`[${scenario}] reusing the feature-bench run of this process`);
    return known;
  }
  const run = runAppBench<FeatureBenchReport>(context, {
    scenario,
    script: 'apps/feature-service/bench/feature-bench.sh',
    args: context.quick ? ['--rows', String(FEATURE_BENCH_QUICK_ROWS)] : [],
    schema: FEATURE_BENCH_SCHEMA,
  });
  featureBenchRuns.set(key, run);
  return run;
}

/** What a feature-bench report measured, for notes: the input and its size. */
export function featureBenchInput(report: FeatureBenchReport): string {
  return report.rowsRequested === null
    ? `all of flights-3m.parquet (${report.import.rowsRead} rows, parquet reader)`
    : `the first ${report.rowsRequested} rows of flights-3m.parquet, written as NDJSON (${report.import.rowsRead} rows, NDJSON reader; --quick)`;
}

// --- apps/training-runner/bench/train-flights.ts ---------------------------------------------

export const TRAIN_BENCH_SCHEMA = 'strata.train-bench/1';

/** Rows the training bench reads: the 200k, or 50k with `--quick`. */
export const TRAIN_BENCH_ROWS = { full: 200_000, quick: 50_000 } as const;

/** One trainer in the `train-flights.ts --json` report. */
export interface TrainBenchTrainer {
  readonly name: string;
  readonly seconds: number;
  readonly iterations: number;
  /** null when undefined (e.g. a single-class test set). */
  readonly testAuc: number | null;
  readonly testLogLoss: number | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly rowsPerSecond: number;
  readonly rowIterationsPerSecond: number;
  readonly referencePasses: number;
}

/** The JSON of `train-flights.ts --json` (its `TrainBenchReport`). */
export interface TrainBenchReport {
  readonly schema: typeof TRAIN_BENCH_SCHEMA;
  readonly node: string;
  readonly rowsRequested: number;
  readonly rows: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly features: number;
  readonly trainDelayRate: number;
  readonly load: { readonly seconds: number };
  readonly featureBuild: { readonly seconds: number; readonly rowsPerSecond: number };
  readonly reference: { readonly histogramPassSeconds: number; readonly gradientPassSeconds: number; readonly histogramBins: number };
  readonly gbdt: TrainBenchTrainer & { readonly passesPerTreeLevel: number; readonly aimSeconds: number; readonly withinAim: boolean };
  readonly logisticRegression: TrainBenchTrainer & { readonly passesPerIteration: number };
  readonly constant: { readonly testAuc: number; readonly testLogLoss: number | null };
}

/** Runs the training bench for this context. */
export function trainBench(context: BenchContext, scenario: string): Promise<TrainBenchReport> {
  return runAppBench<TrainBenchReport>(context, {
    scenario,
    script: 'apps/training-runner/bench/train-flights.sh',
    args: ['--rows', String(context.quick ? TRAIN_BENCH_ROWS.quick : TRAIN_BENCH_ROWS.full)],
    schema: TRAIN_BENCH_SCHEMA,
  });
}

/** `1.234` with `digits` decimals, for target details. */
export function fixed(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

// Benchmark (not a test): the built-in trainers on real flights data.
//   npx nx run training-runner:bench                   the first 200,000 rows of flights-3m.parquet
//   npx nx run training-runner:bench -- --rows 50000   another prefix
//   ... -- --json out.json                             also writes every printed figure as JSON (TrainBenchReport)
// Loads the rows, builds the point-in-time features of test/fixtures/flights-features.ts,
// splits by time (latest 20% = test), trains GBDT (100 rounds, depth 6) and logistic
// regression in this process, and prints training time, throughput and test AUC / log loss next
// to the constant predictor. Nothing is asserted: the numbers are for people (see README.md).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { auc, logLoss } from '../src/evaluation/metrics';
import { GbdtTrainer } from '../src/trainers/gbdt';
import { LogisticRegressionTrainer } from '../src/trainers/logistic-regression';
import type { Matrix } from '../src/trainers/shared/matrix';
import type { TrainedModel, TrainingHooks, TrainingInput } from '../src/trainers/shared/trainer';
import { buildFlightsFeatures, loadFlightsParquet, timeSplit } from '../test/fixtures/flights-features';

const DEFAULT_ROWS = 200_000;
const GBDT_PARAMS = { numTrees: 100, maxDepth: 6 } as const;
/** The aim for GBDT (100 rounds, depth 6) on 200k rows. */
const GBDT_AIM_SECONDS = 30;
const SEED = 42;
const HISTOGRAM_BINS = 256;
/** Identifies the layout of the `--json` report (bump on an incompatible change). */
const REPORT_SCHEMA = 'strata.train-bench/1';

interface TrainerRun {
  readonly name: string;
  readonly seconds: number;
  readonly iterations: number;
  readonly testAuc: number;
  readonly testLogLoss: number;
}

/** One trainer in the `--json` report. */
interface TrainerReport extends TrainerRun {
  readonly params: Readonly<Record<string, unknown>>;
  /** Training rows per second of wall time (rows / seconds). */
  readonly rowsPerSecond: number;
  /** Training rows x iterations per second. */
  readonly rowIterationsPerSecond: number;
  /** Seconds divided by the seconds of one reference pass (histogram for GBDT, gradient for logistic regression). */
  readonly referencePasses: number;
}

/** Everything printed, as written by `--json` (read by bench/src/scenarios/training.ts). */
interface TrainBenchReport {
  readonly schema: typeof REPORT_SCHEMA;
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
  readonly gbdt: TrainerReport & { readonly passesPerTreeLevel: number; readonly aimSeconds: number; readonly withinAim: boolean };
  readonly logisticRegression: TrainerReport & { readonly passesPerIteration: number };
  readonly constant: { readonly testAuc: number; readonly testLogLoss: number };
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

function log(line: string): void {
  process.stdout.write(`[train-bench] ${line}\n`);
}

/** Progress every 10% of the planned iterations, so a slow run is visibly alive. */
function progressHooks(name: string): TrainingHooks {
  return {
    checkpoint: () => undefined,
    log: (message) => log(`${name}: ${message}`),
    onIteration: ({ iteration, totalIterations, loss }) => {
      if (iteration % Math.max(1, Math.round(totalIterations / 10)) === 0) log(`${name}: iteration ${iteration}/${totalIterations} train loss ${loss.toFixed(5)}`);
    },
  };
}

function timed<T>(run: () => T): { value: T; seconds: number } {
  const startedAt = performance.now();
  const value = run();
  return { value, seconds: (performance.now() - startedAt) / 1000 };
}

/** Median seconds of `repeats` runs after a warm-up (the JIT settles first). */
function medianSeconds(run: () => void, repeats = 9): number {
  for (let i = 0; i < 3; i += 1) run();
  const samples = Array.from({ length: repeats }, () => timed(run).seconds).sort((a, b) => a - b);
  return samples[Math.floor(repeats / 2)] as number;
}

/**
 * One pass adding every row's gradient and hessian to a 256-bin histogram per feature: the
 * inner loop a histogram GBDT repeats at each tree level (the bins here are a plain min–max
 * quantization; only the memory traffic and arithmetic matter).
 */
function histogramPassSeconds(x: Matrix, y: Float64Array): number {
  const { rows, cols, values } = x;
  const codes = new Uint8Array(rows * cols);
  for (let col = 0; col < cols; col += 1) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let row = 0; row < rows; row += 1) {
      const value = values[row * cols + col] as number;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    const scale = max > min ? (HISTOGRAM_BINS - 2) / (max - min) : 0;
    for (let row = 0; row < rows; row += 1) {
      const value = values[row * cols + col] as number;
      codes[row * cols + col] = Number.isNaN(value) ? HISTOGRAM_BINS - 1 : Math.floor((value - min) * scale);
    }
  }
  const gradients = y.map((label) => 0.2 - label);
  const hessians = new Float64Array(rows).fill(0.16);
  const histogram = new Float64Array(cols * HISTOGRAM_BINS * 2);
  return medianSeconds(() => {
    histogram.fill(0);
    for (let row = 0; row < rows; row += 1) {
      const g = gradients[row] as number;
      const h = hessians[row] as number;
      const base = row * cols;
      for (let col = 0; col < cols; col += 1) {
        const slot = (col * HISTOGRAM_BINS + (codes[base + col] as number)) * 2;
        histogram[slot] = (histogram[slot] as number) + g;
        histogram[slot + 1] = (histogram[slot + 1] as number) + h;
      }
    }
  });
}

/** One full-batch logistic-regression gradient (dot product, sigmoid, accumulate) over the rows, NaN as 0. */
function gradientPassSeconds(x: Matrix, y: Float64Array): number {
  const { rows, cols } = x;
  const values = x.values.map((value) => (Number.isNaN(value) ? 0 : value));
  const weights = new Float64Array(cols).fill(1e-4);
  const gradient = new Float64Array(cols);
  return medianSeconds(() => {
    gradient.fill(0);
    for (let row = 0; row < rows; row += 1) {
      const base = row * cols;
      let z = 0;
      for (let col = 0; col < cols; col += 1) z += (weights[col] as number) * (values[base + col] as number);
      const error = 1 / (1 + Math.exp(-z)) - (y[row] as number);
      for (let col = 0; col < cols; col += 1) gradient[col] = (gradient[col] as number) + error * (values[base + col] as number);
    }
  });
}

function evaluate(name: string, train: () => TrainedModel, test: { x: Matrix; y: Float64Array }): TrainerRun {
  log(`${name}: training`);
  const { value: model, seconds } = timed(train);
  const predictions = model.predict(test.x);
  const run = { name, seconds, iterations: model.iterations, testAuc: auc(test.y, predictions) ?? Number.NaN, testLogLoss: logLoss(test.y, predictions) ?? Number.NaN };
  log(`${name}: ${run.iterations} iterations in ${seconds.toFixed(2)} s, test AUC ${run.testAuc.toFixed(4)}`);
  return run;
}

async function main(): Promise<void> {
  const requestedRows = Number(argument('rows') ?? DEFAULT_ROWS);
  if (!Number.isInteger(requestedRows) || requestedRows < 1000) throw new RangeError(`--rows must be an integer >= 1000, got ${argument('rows')}`);
  const jsonArgument = argument('json');
  if (process.argv.includes('--json') && (jsonArgument === undefined || jsonArgument.startsWith('--'))) throw new Error('--json needs a file name');
  const jsonFile = jsonArgument === undefined ? undefined : path.resolve(jsonArgument);
  log(`node ${process.version}; reading the first ${requestedRows} rows of flights-3m.parquet`);

  const load = performance.now();
  const flights = await loadFlightsParquet(requestedRows);
  const loadSeconds = (performance.now() - load) / 1000;
  const built = timed(() => buildFlightsFeatures(flights));
  const features = built.value;
  const { train, test } = timeSplit(features, 0.2);
  const positives = train.y.reduce((sum, label) => sum + label, 0);
  const trainRate = positives / train.y.length;
  log(`${flights.length} rows read in ${loadSeconds.toFixed(2)} s; features built in ${built.seconds.toFixed(2)} s (${Math.round(flights.length / built.seconds)} rows/s)`);
  log(`split by time: ${train.x.rows} train rows, ${test.x.rows} test rows, ${features.x.cols} features, train delay rate ${(trainRate * 100).toFixed(1)}%`);

  log('measuring the in-process reference loops');
  const histogramPass = histogramPassSeconds(train.x, train.y);
  const gradientPass = gradientPassSeconds(train.x, train.y);

  const input: TrainingInput = { task: 'binary', featureNames: features.featureNames, train, seed: SEED };
  const gbdtTrainer = new GbdtTrainer();
  const gbdtParams = gbdtTrainer.resolveParams(GBDT_PARAMS);
  const gbdt = evaluate('gbdt', () => gbdtTrainer.train(input, gbdtParams, progressHooks('gbdt')), test);
  const logisticTrainer = new LogisticRegressionTrainer();
  const logisticParams = logisticTrainer.resolveParams({});
  const logistic = evaluate('logistic_regression', () => logisticTrainer.train(input, logisticParams, progressHooks('logistic_regression')), test);
  const constantLogLoss = logLoss(test.y, new Float64Array(test.y.length).fill(trainRate)) ?? Number.NaN;

  const gbdtPasses = gbdt.seconds / histogramPass;
  const logisticPasses = logistic.seconds / gradientPass;
  const row = (name: string, run: TrainerRun): string =>
    `${name.padEnd(34)} ${run.seconds.toFixed(2).padStart(7)} s  ${String(run.iterations).padStart(4)} it  ${Math.round((train.x.rows * run.iterations) / run.seconds).toString().padStart(10)} row-it/s  AUC ${run.testAuc.toFixed(4)}  log loss ${run.testLogLoss.toFixed(4)}`;
  process.stdout.write(
    [
      '',
      `flights-3m.parquet, first ${flights.length} rows: ${train.x.rows} train / ${test.x.rows} test (latest 20%), ${features.x.cols} features`,
      row(`gbdt (${gbdtParams.numTrees} rounds, depth ${gbdtParams.maxDepth})`, gbdt),
      row(`logistic regression (defaults)`, logistic),
      `${'constant train-rate predictor'.padEnd(34)} ${''.padStart(7)}    ${''.padStart(4)}    ${''.padStart(10)}           AUC 0.5000  log loss ${constantLogLoss.toFixed(4)}`,
      '',
      `reference: one histogram pass (${train.x.rows} rows x ${features.x.cols} features, ${HISTOGRAM_BINS} bins) ${(histogramPass * 1000).toFixed(2)} ms; one logistic gradient pass ${(gradientPass * 1000).toFixed(2)} ms`,
      `gbdt = ${gbdtPasses.toFixed(0)} histogram passes = ${(gbdtPasses / (gbdt.iterations * gbdtParams.maxDepth)).toFixed(2)} per tree level`,
      `logistic regression = ${logisticPasses.toFixed(0)} gradient passes = ${(logisticPasses / logistic.iterations).toFixed(2)} per iteration`,
      `gbdt ${gbdt.seconds <= GBDT_AIM_SECONDS ? 'within' : 'OVER'} the ${GBDT_AIM_SECONDS} s aim (${gbdt.seconds.toFixed(1)} s)`,
      '',
    ].join('\n'),
  );
  if (jsonFile !== undefined) {
    const trainer = (run: TrainerRun, params: object, pass: number): TrainerReport => ({
      ...run,
      params: { ...params },
      rowsPerSecond: train.x.rows / run.seconds,
      rowIterationsPerSecond: (train.x.rows * run.iterations) / run.seconds,
      referencePasses: run.seconds / pass,
    });
    const report: TrainBenchReport = {
      schema: REPORT_SCHEMA,
      node: process.version,
      rowsRequested: requestedRows,
      rows: flights.length,
      trainRows: train.x.rows,
      testRows: test.x.rows,
      features: features.x.cols,
      trainDelayRate: trainRate,
      load: { seconds: loadSeconds },
      featureBuild: { seconds: built.seconds, rowsPerSecond: flights.length / built.seconds },
      reference: { histogramPassSeconds: histogramPass, gradientPassSeconds: gradientPass, histogramBins: HISTOGRAM_BINS },
      gbdt: { ...trainer(gbdt, gbdtParams, histogramPass), passesPerTreeLevel: gbdtPasses / (gbdt.iterations * gbdtParams.maxDepth), aimSeconds: GBDT_AIM_SECONDS, withinAim: gbdt.seconds <= GBDT_AIM_SECONDS },
      logisticRegression: { ...trainer(logistic, logisticParams, gradientPass), passesPerIteration: logisticPasses / logistic.iterations },
      constant: { testAuc: 0.5, testLogLoss: constantLogLoss },
    };
    // NaN (an undefined AUC or log loss) is written as null.
    writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    log(`figures written to ${jsonFile}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[train-bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

// Issue scenario 6: GBDT and logistic-regression training on 200k rows. Measured by the
// training-runner's own bench (apps/training-runner/bench/train-flights.ts, run as a subprocess
// through app-bench.ts): the first 200,000 rows of flights-3m.parquet, point-in-time features,
// a time split (latest 20% = test), GBDT (100 rounds, depth 6) and logistic regression with the
// default parameters, in one process on the main thread. The baselines are that bench's
// in-process reference loops: one histogram pass (GBDT) and one full-batch gradient pass
// (logistic regression) over the same training rows, timed in the same run.
import type { BenchContext, Figure, Scenario, ScenarioResult, TargetResult } from '../scenario';
import { fixed, TRAIN_BENCH_ROWS, type TrainBenchReport, type TrainBenchTrainer, trainBench } from './app-bench';

const NAME = 'training';
const TITLE = 'GBDT and logistic-regression training on 200k rows of flights-3m.parquet';

function trainerFigures(label: string, run: TrainBenchTrainer, floor: { readonly name: string; readonly seconds: number }, constant: TrainBenchReport['constant']): Figure[] {
  return [
    { name: `${label}: training time`, value: run.seconds, unit: 's', baseline: { name: floor.name, value: floor.seconds } },
    { name: `${label}: iterations`, value: run.iterations, unit: 'count' },
    { name: `${label}: throughput (training rows / s)`, value: run.rowsPerSecond, unit: 'rows/s' },
    { name: `${label}: throughput (training rows x iterations / s)`, value: run.rowIterationsPerSecond, unit: 'rows/s' },
    { name: `${label}: test AUC`, value: run.testAuc ?? Number.NaN, unit: 'x', baseline: { name: 'constant predictor AUC', value: constant.testAuc } },
    { name: `${label}: test log loss`, value: run.testLogLoss ?? Number.NaN, unit: 'x', ...(constant.testLogLoss === null ? {} : { baseline: { name: 'constant predictor log loss', value: constant.testLogLoss } }) },
  ];
}

/** The figures, targets and notes of a training-bench report (exported for a check without a run). */
export function trainingResult(report: TrainBenchReport): ScenarioResult {
  const { gbdt, logisticRegression: logistic, reference } = report;
  const maxDepth = Number(gbdt.params['maxDepth'] ?? Number.NaN);
  const numTrees = Number(gbdt.params['numTrees'] ?? Number.NaN);
  const gbdtLabel = `gbdt (${numTrees} rounds, depth ${maxDepth})`;
  const figures: Figure[] = [
    { name: 'rows read', value: report.rows, unit: 'count' },
    { name: 'training rows', value: report.trainRows, unit: 'count' },
    { name: 'features', value: report.features, unit: 'count' },
    { name: 'read parquet: time', value: report.load.seconds, unit: 's' },
    { name: 'build point-in-time features: throughput', value: report.featureBuild.rowsPerSecond, unit: 'rows/s' },
    ...trainerFigures(gbdtLabel, gbdt, { name: `${gbdt.iterations} rounds x depth ${maxDepth} x one histogram pass`, seconds: gbdt.iterations * maxDepth * reference.histogramPassSeconds }, report.constant),
    { name: `${gbdtLabel}: histogram passes per tree level`, value: gbdt.passesPerTreeLevel, unit: 'x' },
    ...trainerFigures('logistic regression (defaults)', logistic, { name: `${logistic.iterations} iterations x one gradient pass`, seconds: logistic.iterations * reference.gradientPassSeconds }, report.constant),
    { name: 'logistic regression: gradient passes per iteration', value: logistic.passesPerIteration, unit: 'x' },
    { name: `one histogram pass (${report.trainRows} rows x ${report.features} features, ${reference.histogramBins} bins)`, value: reference.histogramPassSeconds * 1000, unit: 'ms' },
    { name: `one logistic gradient pass (${report.trainRows} rows x ${report.features} features)`, value: reference.gradientPassSeconds * 1000, unit: 'ms' },
  ];
  const full = report.rowsRequested === TRAIN_BENCH_ROWS.full;
  const targets: TargetResult[] = full
    ? [
        {
          name: `${gbdtLabel} on ${report.rows} rows within the training-runner aim (GBDT_AIM_SECONDS = ${gbdt.aimSeconds} s)`,
          pass: gbdt.seconds <= gbdt.aimSeconds,
          detail: `${fixed(gbdt.seconds, 2)} s <= ${gbdt.aimSeconds} s (= ${fixed(gbdt.passesPerTreeLevel, 2)} histogram passes per tree level of ${fixed(reference.histogramPassSeconds * 1000, 2)} ms each); test AUC ${fixed(gbdt.testAuc ?? Number.NaN, 4)}`,
        },
      ]
    : [];
  const notes = [
    `Measured by apps/training-runner/bench/train-flights.ts (subprocess) on the first ${report.rows} rows of flights-3m.parquet: ${report.trainRows} train / ${report.testRows} test rows (latest 20% by time), ${report.features} features, train delay rate ${fixed(report.trainDelayRate * 100, 1)}%. Node ${report.node}, one process, main thread.`,
    'Training time baselines are the same run\'s reference loops over the training rows (median of 9 after 3 warm-ups): GBDT against rounds x depth x one 256-bin histogram pass, logistic regression against iterations x one full-batch gradient pass. AUC and log loss are on the test rows, next to the constant predictor that always says the training delay rate; their unit is none (shown as x).',
    ...(full ? [] : [`--quick: ${report.rows} rows instead of ${TRAIN_BENCH_ROWS.full}; the ${gbdt.aimSeconds} s aim is for ${TRAIN_BENCH_ROWS.full} rows, so it is not judged here.`]),
  ];
  return { scenario: NAME, title: TITLE, figures, targets, notes };
}

export const trainingScenario: Scenario = {
  name: NAME,
  title: TITLE,
  async run(context: BenchContext): Promise<ScenarioResult> {
    return trainingResult(await trainBench(context, NAME));
  },
};

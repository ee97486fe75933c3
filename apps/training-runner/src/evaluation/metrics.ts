import type { TrainingTask } from '../trainers/shared/trainer';

/** Probabilities are clipped to [EPSILON, 1 - EPSILON] before taking logs, so one confident miss costs ~34.5, not Infinity. */
const EPSILON = 1e-15;
/** Classification metrics that need a yes/no decision use this cut-off on P(y = 1). */
const DECISION_THRESHOLD = 0.5;

/** Metric names each task understands (EvaluationSpec.metrics of training.proto). */
export const KNOWN_METRICS: Readonly<Record<TrainingTask, readonly string[]>> = {
  binary: ['auc', 'accuracy', 'log_loss', 'precision', 'recall', 'f1'],
  regression: ['rmse', 'mae', 'r2'],
  multiclass: ['accuracy', 'log_loss'],
};

/** Metrics computed when a job names none. */
export const DEFAULT_METRICS: Readonly<Record<TrainingTask, readonly string[]>> = {
  binary: ['auc', 'accuracy', 'log_loss', 'precision', 'recall'],
  regression: ['rmse', 'mae', 'r2'],
  multiclass: ['accuracy', 'log_loss'],
};

/** The names in `names` that `task` does not know (empty when all are valid); for submit-time validation. */
export function unknownMetrics(task: TrainingTask, names: readonly string[]): string[] {
  const known = KNOWN_METRICS[task];
  return names.filter((name) => !known.includes(name));
}

/**
 * Area under the ROC curve by the rank-sum (Mann–Whitney) statistic; tied scores share their
 * average rank, so a constant predictor scores exactly 0.5. Undefined without both classes or with a NaN score.
 */
export function auc(y: Float64Array, scores: Float64Array): number | undefined {
  const n = y.length;
  let positives = 0;
  for (let i = 0; i < n; i += 1) {
    // A NaN score has no rank (and would make the sort order undefined).
    if (Number.isNaN(scores[i])) return undefined;
    if (y[i] === 1) positives += 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end] as number] === scores[order[start] as number]) end += 1;
    // Ranks are 1-based: the tie group start..end-1 shares the mean of ranks start+1..end.
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k += 1) if (y[order[k] as number] === 1) positiveRankSum += averageRank;
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy of P(y = 1), probabilities clipped to [1e-15, 1 - 1e-15]. */
export function logLoss(y: Float64Array, probabilities: Float64Array): number | undefined {
  if (y.length === 0) return undefined;
  let total = 0;
  for (let i = 0; i < y.length; i += 1) {
    const p = clip(probabilities[i] as number);
    total -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / y.length;
}

/** Counts of a binary decision at P(y = 1) >= 0.5. */
export interface ConfusionCounts {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
}

/** The confusion matrix of deciding "positive" when P(y = 1) >= 0.5. */
export function confusionAtThreshold(y: Float64Array, probabilities: Float64Array): ConfusionCounts {
  let truePositives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  let falseNegatives = 0;
  for (let i = 0; i < y.length; i += 1) {
    const predictedPositive = (probabilities[i] as number) >= DECISION_THRESHOLD;
    if (y[i] === 1) {
      if (predictedPositive) truePositives += 1;
      else falseNegatives += 1;
    } else if (predictedPositive) falsePositives += 1;
    else trueNegatives += 1;
  }
  return { truePositives, falsePositives, trueNegatives, falseNegatives };
}

/** Share of correct decisions at 0.5. */
export function accuracy(counts: ConfusionCounts): number | undefined {
  const total = counts.truePositives + counts.falsePositives + counts.trueNegatives + counts.falseNegatives;
  return ratio(counts.truePositives + counts.trueNegatives, total);
}

/** TP / (TP + FP); undefined when nothing is predicted positive. */
export function precision(counts: ConfusionCounts): number | undefined {
  return ratio(counts.truePositives, counts.truePositives + counts.falsePositives);
}

/** TP / (TP + FN); undefined when there are no positives. */
export function recall(counts: ConfusionCounts): number | undefined {
  return ratio(counts.truePositives, counts.truePositives + counts.falseNegatives);
}

/** 2TP / (2TP + FP + FN), the harmonic mean of precision and recall; undefined with no positives either way. */
export function f1(counts: ConfusionCounts): number | undefined {
  return ratio(2 * counts.truePositives, 2 * counts.truePositives + counts.falsePositives + counts.falseNegatives);
}

/** Root mean squared error. */
export function rmse(y: Float64Array, predictions: Float64Array): number | undefined {
  if (y.length === 0) return undefined;
  let total = 0;
  for (let i = 0; i < y.length; i += 1) total += ((predictions[i] as number) - (y[i] as number)) ** 2;
  return Math.sqrt(total / y.length);
}

/** Mean absolute error. */
export function mae(y: Float64Array, predictions: Float64Array): number | undefined {
  if (y.length === 0) return undefined;
  let total = 0;
  for (let i = 0; i < y.length; i += 1) total += Math.abs((predictions[i] as number) - (y[i] as number));
  return total / y.length;
}

/** Coefficient of determination 1 - SS_res / SS_tot; undefined when y is constant. */
export function r2(y: Float64Array, predictions: Float64Array): number | undefined {
  if (y.length === 0) return undefined;
  let mean = 0;
  for (const value of y) mean += value;
  mean /= y.length;
  let residual = 0;
  let totalVariation = 0;
  for (let i = 0; i < y.length; i += 1) {
    residual += ((y[i] as number) - (predictions[i] as number)) ** 2;
    totalVariation += ((y[i] as number) - mean) ** 2;
  }
  return totalVariation === 0 ? undefined : 1 - residual / totalVariation;
}

/** Share of rows whose most probable class (first on ties) is the label; `probabilities` is row-major `[rows, classes]`. */
export function multiclassAccuracy(y: Float64Array, probabilities: Float64Array, classes: number): number | undefined {
  let correct = 0;
  for (let row = 0; row < y.length; row += 1) {
    const offset = row * classes;
    let best = 0;
    for (let k = 1; k < classes; k += 1) if ((probabilities[offset + k] as number) > (probabilities[offset + best] as number)) best = k;
    if (best === y[row]) correct += 1;
  }
  return ratio(correct, y.length);
}

/** Mean cross-entropy of the label's probability (clipped like the binary log loss). */
export function multiclassLogLoss(y: Float64Array, probabilities: Float64Array, classes: number): number | undefined {
  if (y.length === 0) return undefined;
  let total = 0;
  for (let row = 0; row < y.length; row += 1) total -= Math.log(clip(probabilities[row * classes + (y[row] as number)] as number));
  return total / y.length;
}

/**
 * The named metrics of predictions against labels. `predictions`: binary P(y = 1) per row,
 * regression the value per row, multiclass `classes` probabilities per row (row-major).
 * Empty `names` means {@link DEFAULT_METRICS}. A metric that cannot be computed (AUC with one
 * class, precision with no predicted positive...) is left out of the result.
 * @throws RangeError on an unknown metric name or mismatched lengths.
 */
export function computeMetrics(task: TrainingTask, names: readonly string[], y: Float64Array, predictions: Float64Array, classes?: number): Record<string, number> {
  const unknown = unknownMetrics(task, names);
  if (unknown.length > 0) throw new RangeError(`unknown ${task} metric(s): ${unknown.join(', ')}`);
  const width = task === 'multiclass' ? requireClasses(classes) : 1;
  if (predictions.length !== y.length * width) throw new RangeError(`expected ${y.length * width} predictions for ${y.length} rows, got ${predictions.length}`);
  const compute = calculators(task, y, predictions, width);
  const result: Record<string, number> = {};
  for (const name of names.length > 0 ? names : DEFAULT_METRICS[task]) {
    const value = compute[name]?.();
    if (value !== undefined && !Number.isNaN(value)) result[name] = value;
  }
  return result;
}

type Calculators = Readonly<Record<string, () => number | undefined>>;

function calculators(task: TrainingTask, y: Float64Array, predictions: Float64Array, classes: number): Calculators {
  switch (task) {
    case 'binary': {
      // Computed once, on first use, for the four threshold metrics.
      let counts: ConfusionCounts | undefined;
      const confusion = (): ConfusionCounts => (counts ??= confusionAtThreshold(y, predictions));
      return {
        auc: () => auc(y, predictions),
        log_loss: () => logLoss(y, predictions),
        accuracy: () => accuracy(confusion()),
        precision: () => precision(confusion()),
        recall: () => recall(confusion()),
        f1: () => f1(confusion()),
      };
    }
    case 'regression':
      return { rmse: () => rmse(y, predictions), mae: () => mae(y, predictions), r2: () => r2(y, predictions) };
    case 'multiclass':
      return { accuracy: () => multiclassAccuracy(y, predictions, classes), log_loss: () => multiclassLogLoss(y, predictions, classes) };
  }
}

function requireClasses(classes: number | undefined): number {
  if (classes === undefined || !Number.isInteger(classes) || classes < 2) throw new RangeError(`multiclass metrics need classes >= 2, got ${classes}`);
  return classes;
}

function clip(p: number): number {
  return Math.min(Math.max(p, EPSILON), 1 - EPSILON);
}

function ratio(numerator: number, denominator: number): number | undefined {
  return denominator === 0 ? undefined : numerator / denominator;
}

import { seededRandom } from '../shared/random';
import { type LabeledData, type TrainingInput, type TrainingTask } from '../shared/trainer';

/** How a synthetic row's label follows from its features (uniform in [0, 1), NaN where missing). */
export type LabelRule = (row: Float64Array, random: () => number) => number;

/** Options of {@link syntheticData}. */
export interface SyntheticDataOptions {
  readonly rows: number;
  readonly cols?: number;
  readonly seed: number;
  /** Probability of each value being NaN. Default 0. */
  readonly missingRate?: number;
}

/** Seeded rows of uniform [0, 1) features (some NaN) labelled by `rule`. */
export function syntheticData(rule: LabelRule, options: SyntheticDataOptions): LabeledData {
  const { rows, cols = 3, seed, missingRate = 0 } = options;
  const random = seededRandom(seed);
  const values = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let row = 0; row < rows; row += 1) {
    const features = values.subarray(row * cols, (row + 1) * cols);
    for (let col = 0; col < cols; col += 1) {
      const missing = random() < missingRate;
      features[col] = missing ? Number.NaN : random();
    }
    y[row] = rule(features, random);
  }
  return { x: { rows, cols, values }, y };
}

/** y = 3 when x0 > 0.5, else −1, plus uniform noise in [−0.1, 0.1). */
export const STEP: LabelRule = (row, random) => (row[0] > 0.5 ? 3 : -1) + (random() - 0.5) * 0.2;

/** y = (x0 > 0.2) xor (x1 > 0.7); a NaN compares false. */
export const XOR_STEP: LabelRule = (row) => (row[0] > 0.2 !== row[1] > 0.7 ? 1 : 0);

/** A regression label that has nothing to do with the features. */
export const NOISE: LabelRule = (_row, random) => random();

/** A training input over `train` (and `validation`) with feature names f0, f1, ... */
export function aTrainingInput(task: TrainingTask, train: LabeledData, overrides: Partial<TrainingInput> = {}): TrainingInput {
  return {
    task,
    featureNames: Array.from({ length: train.x.cols }, (_, col) => `f${col}`),
    train,
    seed: 7,
    ...overrides,
  };
}

/** Mean squared error. */
export function meanSquaredError(y: Float64Array, predictions: Float64Array): number {
  let total = 0;
  for (let i = 0; i < y.length; i += 1) total += (predictions[i] - y[i]) ** 2;
  return total / y.length;
}

/** The share of rows where `P(y = 1) > 0.5` matches the label. */
export function accuracy(y: Float64Array, probabilities: Float64Array): number {
  let correct = 0;
  for (let i = 0; i < y.length; i += 1) if (probabilities[i] > 0.5 === (y[i] === 1)) correct += 1;
  return correct / y.length;
}

/** The mean of the labels (the trivial baseline's constant prediction). */
export function meanOf(y: Float64Array): number {
  return y.reduce((total, value) => total + value, 0) / y.length;
}

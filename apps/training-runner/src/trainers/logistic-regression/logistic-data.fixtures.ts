import { type Matrix } from '../shared/matrix';
import { seededRandom } from '../shared/random';
import { type IterationProgress, type LabeledData, SILENT_HOOKS, type TrainingHooks, type TrainingInput } from '../shared/trainer';
import { sigmoid } from './logistic-objective';

/** A feature drawn from N(mean, scale²). */
export interface GaussianFeature {
  readonly mean: number;
  readonly scale: number;
}

/** How {@link logisticData} draws rows. */
export interface LogisticDataSpec {
  readonly rows: number;
  readonly features: readonly GaussianFeature[];
  /** True weights on the raw features. */
  readonly weights: readonly number[];
  readonly bias: number;
  readonly seed: number;
  /** Fraction of feature values replaced by NaN. Default 0. */
  readonly missingRate?: number;
}

/** Rows with Gaussian features and a label drawn from P(y = 1) = σ(bias + weights · x) (a NaN counts as its mean). */
export function logisticData(spec: LogisticDataSpec): LabeledData {
  const random = seededRandom(spec.seed);
  const cols = spec.features.length;
  const values = new Float64Array(spec.rows * cols);
  const y = new Float64Array(spec.rows);
  for (let row = 0; row < spec.rows; row += 1) {
    let z = spec.bias;
    spec.features.forEach((feature, col) => {
      const value = feature.mean + feature.scale * standardNormal(random);
      const missing = random() < (spec.missingRate ?? 0);
      values[row * cols + col] = missing ? Number.NaN : value;
      z += (spec.weights[col] as number) * (missing ? feature.mean : value);
    });
    y[row] = random() < sigmoid(z) ? 1 : 0;
  }
  const x: Matrix = { rows: spec.rows, cols, values };
  return { x, y };
}

/** Box–Muller on a seeded uniform source. */
export function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A binary training input over `train` (and `validation`), feature names f0, f1, ... */
export function aBinaryInput(train: LabeledData, overrides: Partial<TrainingInput> = {}): TrainingInput {
  return { task: 'binary', featureNames: Array.from({ length: train.x.cols }, (_, col) => `f${col}`), train, seed: 7, ...overrides };
}

/** Hooks that record every progress event and count checkpoints. */
export function recordingHooks(overrides: Partial<TrainingHooks> = {}): TrainingHooks & { readonly progress: IterationProgress[] } {
  const progress: IterationProgress[] = [];
  return { ...SILENT_HOOKS, onIteration: (event) => progress.push(event), ...overrides, progress };
}

/** Mean log loss of probabilities against 0/1 labels. */
export function meanLogLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let row = 0; row < labels.length; row += 1) {
    const p = Math.min(Math.max(probabilities[row] as number, 1e-15), 1 - 1e-15);
    sum -= (labels[row] as number) === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

import { standardNormal } from '../logistic-regression/logistic-data.fixtures';
import { seededRandom } from '../shared/random';
import { type LabeledData, type TrainingInput, type TrainingTask } from '../shared/trainer';

/** Fills `rows × cols` features from `draw` and labels from `label`; a fraction `missingRate` of values become NaN after labeling. */
function generate(rows: number, cols: number, seed: number, draw: (random: () => number, col: number) => number, label: (row: readonly number[], random: () => number) => number, missingRate = 0): LabeledData {
  const random = seededRandom(seed);
  const values = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  const row: number[] = new Array<number>(cols).fill(0);
  for (let r = 0; r < rows; r += 1) {
    for (let col = 0; col < cols; col += 1) row[col] = draw(random, col);
    y[r] = label(row, random);
    for (let col = 0; col < cols; col += 1) values[r * cols + col] = random() < missingRate ? Number.NaN : (row[col] as number);
  }
  return { x: { rows, cols, values }, y };
}

/** Binary: points uniform in [-1, 1]², label 1 inside the circle of radius √0.5 (no linear separator exists). */
export function circleData(rows: number, seed: number, missingRate = 0): LabeledData {
  return generate(rows, 2, seed, (random) => 2 * random() - 1, ([a = 0, b = 0]) => (a * a + b * b < 0.5 ? 1 : 0), missingRate);
}

/** Binary with `noise` of the labels flipped at random: easy to overfit. */
export function noisyCircleData(rows: number, seed: number, noise: number): LabeledData {
  return generate(rows, 2, seed, (random) => 2 * random() - 1, ([a = 0, b = 0], random) => ((a * a + b * b < 0.5) !== random() < noise ? 1 : 0));
}

/** Regression: x uniform in [-3, 3] (in raw units 100 + 10x, to exercise standardization), y = 5 + 2·sin(x). */
export function sineData(rows: number, seed: number, missingRate = 0): LabeledData {
  return generate(rows, 1, seed, (random) => 100 + 60 * random() - 30, ([raw = 0]) => 5 + 2 * Math.sin((raw - 100) / 10), missingRate);
}

/** Multiclass: three Gaussian blobs in 2-D (std 0.6) centred at (0, 0), (3, 0) and (0, 3); label = blob index. */
export function blobData(rows: number, seed: number, missingRate = 0): LabeledData {
  const centres = [
    [0, 0],
    [3, 0],
    [0, 3],
  ];
  let blob = 0;
  return generate(
    rows,
    2,
    seed,
    (random, col) => {
      if (col === 0) blob = Math.floor(random() * 3);
      return (centres[blob]?.[col] ?? 0) + 0.6 * standardNormal(random);
    },
    () => blob,
    missingRate,
  );
}

/** A training input of `task` over `train`, feature names f0, f1, ... */
export function anInput(task: TrainingTask, train: LabeledData, overrides: Partial<TrainingInput> = {}): TrainingInput {
  return { task, featureNames: Array.from({ length: train.x.cols }, (_, col) => `f${col}`), train, seed: 5, ...(task === 'multiclass' ? { classes: 3 } : {}), ...overrides };
}

/** Share of rows whose predicted class (binary: p ≥ 0.5; multiclass: arg max of `classes` probabilities) equals the label. */
export function accuracy(predictions: Float64Array, labels: Float64Array, classes = 1): number {
  let correct = 0;
  for (let row = 0; row < labels.length; row += 1) {
    let predicted: number;
    if (classes === 1) predicted = (predictions[row] as number) >= 0.5 ? 1 : 0;
    else {
      predicted = 0;
      for (let k = 1; k < classes; k += 1) if ((predictions[row * classes + k] as number) > (predictions[row * classes + predicted] as number)) predicted = k;
    }
    if (predicted === labels[row]) correct += 1;
  }
  return correct / labels.length;
}

/** Root mean squared error. */
export function rmse(predictions: Float64Array, labels: Float64Array): number {
  let sum = 0;
  for (let row = 0; row < labels.length; row += 1) sum += ((predictions[row] as number) - (labels[row] as number)) ** 2;
  return Math.sqrt(sum / labels.length);
}

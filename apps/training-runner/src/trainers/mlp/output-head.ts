import { type OnnxNodeSpec } from '@strata/onnx';

import { type TrainingTask } from '../shared/trainer';
import { logistic } from './activation';

/**
 * The last layer's meaning per task: how scores become the model output, the loss the network
 * minimizes and its gradient with respect to the scores.
 */
export interface OutputHead {
  /** Units of the output layer. */
  readonly units: number;
  /**
   * Summed loss of `rows` rows (in the units the training curve reports). With `delta`, also
   * writes `scale · ∂loss/∂scores` into it.
   */
  loss(scores: Float64Array, targets: Float64Array, rows: number, delta?: Float64Array, scale?: number): number;
  /** In place: scores → model outputs. */
  toOutputs(scores: Float64Array, rows: number): void;
  /** The node turning scores into outputs in the exported graph, or undefined when it is the identity. */
  onnxNode(scores: string, output: string): OnnxNodeSpec | undefined;
}

// Module constants instead of Math.*: a global lookup per call is slow inside vm contexts (Jest).
const { abs, exp, log, log1p, max } = Math;

/** Binary: one logit, sigmoid output, log loss on 0/1 targets. */
export class BinaryHead implements OutputHead {
  readonly units = 1;

  loss(scores: Float64Array, targets: Float64Array, rows: number, delta?: Float64Array, scale = 1): number {
    let sum = 0;
    for (let row = 0; row < rows; row += 1) {
      const z = scores[row] as number;
      const y = targets[row] as number;
      sum += max(z, 0) - z * y + log1p(exp(-abs(z)));
      if (delta !== undefined) delta[row] = scale * (logistic(z) - y);
    }
    return sum;
  }

  toOutputs(scores: Float64Array, rows: number): void {
    for (let row = 0; row < rows; row += 1) scores[row] = logistic(scores[row] as number);
  }

  onnxNode(scores: string, output: string): OnnxNodeSpec {
    return { opType: 'Sigmoid', name: 'mlp.sigmoid', inputs: [scores], outputs: [output] };
  }
}

/**
 * Regression: one linear unit trained on standardized targets (`(y - mean) / std`, folded back
 * into the output layer on export), half squared error; the reported loss is the mean squared
 * error in the targets' own units.
 */
export class RegressionHead implements OutputHead {
  readonly units = 1;
  private readonly reportScale: number;

  constructor(targetScale: number) {
    this.reportScale = targetScale * targetScale;
  }

  loss(scores: Float64Array, targets: Float64Array, rows: number, delta?: Float64Array, scale = 1): number {
    let sum = 0;
    for (let row = 0; row < rows; row += 1) {
      const error = (scores[row] as number) - (targets[row] as number);
      sum += error * error;
      if (delta !== undefined) delta[row] = scale * error;
    }
    return sum * this.reportScale;
  }

  toOutputs(): void {
    // The scores are the predictions.
  }

  onnxNode(): undefined {
    return undefined;
  }
}

/** Multiclass: one score per class, softmax output, cross-entropy on class-index targets. */
export class MulticlassHead implements OutputHead {
  constructor(readonly units: number) {}

  loss(scores: Float64Array, targets: Float64Array, rows: number, delta?: Float64Array, scale = 1): number {
    const classes = this.units;
    let sum = 0;
    for (let row = 0; row < rows; row += 1) {
      const offset = row * classes;
      let top = scores[offset] as number;
      for (let k = 1; k < classes; k += 1) top = max(top, scores[offset + k] as number);
      let total = 0;
      for (let k = 0; k < classes; k += 1) total += exp((scores[offset + k] as number) - top);
      const label = targets[row] as number;
      sum += top + log(total) - (scores[offset + label] as number);
      if (delta === undefined) continue;
      for (let k = 0; k < classes; k += 1) {
        const probability = exp((scores[offset + k] as number) - top) / total;
        delta[offset + k] = scale * (probability - (k === label ? 1 : 0));
      }
    }
    return sum;
  }

  toOutputs(scores: Float64Array, rows: number): void {
    const classes = this.units;
    for (let row = 0; row < rows; row += 1) {
      const offset = row * classes;
      let top = scores[offset] as number;
      for (let k = 1; k < classes; k += 1) top = max(top, scores[offset + k] as number);
      let total = 0;
      for (let k = 0; k < classes; k += 1) {
        const e = exp((scores[offset + k] as number) - top);
        scores[offset + k] = e;
        total += e;
      }
      for (let k = 0; k < classes; k += 1) scores[offset + k] = (scores[offset + k] as number) / total;
    }
  }

  onnxNode(scores: string, output: string): OnnxNodeSpec {
    return { opType: 'Softmax', name: 'mlp.softmax', inputs: [scores], outputs: [output], attributes: { axis: { type: 'int', value: 1 } } };
  }
}

/** The head of a task (`classes` for multiclass, `targetScale` the train targets' std for regression). */
export function outputHeadFor(task: TrainingTask, classes: number, targetScale: number): OutputHead {
  switch (task) {
    case 'binary':
      return new BinaryHead();
    case 'regression':
      return new RegressionHead(targetScale);
    case 'multiclass':
      return new MulticlassHead(classes);
  }
}

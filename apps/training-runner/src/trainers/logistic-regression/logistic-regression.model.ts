import { OnnxGraphBuilder } from '@strata/onnx';

import { onnxModelOptions } from '../preprocessing/onnx-model-options';
import { type Standardizer } from '../preprocessing/standardizer';
import { StandardizerGraph } from '../preprocessing/standardizer-graph';
import { type Matrix } from '../shared/matrix';
import { MODEL_INPUT, MODEL_OUTPUT, type OnnxExportOptions, type TrainedModel } from '../shared/trainer';
import { sigmoid } from './logistic-objective';

const IMPUTED = 'logistic_regression.imputed';
const WEIGHTS = 'logistic_regression.weights';
const BIAS = 'logistic_regression.bias';
const LOGIT = 'logistic_regression.logit';

/**
 * A trained logistic regression with the standardization folded into its parameters: on raw
 * features, `P(y = 1) = σ(b' + Σ w'_j x_j)` with `w'_j = w_j / std_j` and
 * `b' = b − Σ w_j · mean_j / std_j`, a missing x_j imputed by mean_j. The exported graph is
 * Imputer → Gemm → Sigmoid; `predict` uses the same float32 parameters.
 */
export class LogisticRegressionModel implements TrainedModel {
  /** Weights on the raw features (float32-rounded, as exported). */
  readonly coefficients: Float64Array;
  /** Bias on the raw features (float32-rounded, as exported). */
  readonly intercept: number;
  private readonly graph: StandardizerGraph;

  /**
   * @param standardizedParams `[w_0 … w_{p-1}, b]` learned on standardized features.
   */
  constructor(
    readonly iterations: number,
    standardizer: Standardizer,
    standardizedParams: Float64Array,
  ) {
    const cols = standardizer.columns;
    const coefficients = new Float64Array(cols);
    let intercept = standardizedParams[cols] as number;
    for (let col = 0; col < cols; col += 1) {
      const weight = (standardizedParams[col] as number) / (standardizer.scales[col] as number);
      coefficients[col] = weight;
      intercept -= weight * (standardizer.means[col] as number);
    }
    this.coefficients = coefficients.map(Math.fround);
    this.intercept = Math.fround(intercept);
    this.graph = new StandardizerGraph(standardizer);
  }

  predict(x: Matrix): Float64Array {
    const imputed = this.graph.impute(x);
    const { rows, cols } = x;
    const out = new Float64Array(rows);
    for (let row = 0; row < rows; row += 1) {
      let z = this.intercept;
      for (let col = 0; col < cols; col += 1) z += (this.coefficients[col] as number) * (imputed[row * cols + col] as number);
      out[row] = sigmoid(z);
    }
    return out;
  }

  toOnnx(options: OnnxExportOptions): Uint8Array {
    const cols = this.coefficients.length;
    const builder = new OnnxGraphBuilder('logistic_regression')
      .addOpset('', 17)
      .addInput({ name: MODEL_INPUT, datatype: 'FP32', shape: ['batch', cols] });
    this.graph.addImputer(builder, { input: MODEL_INPUT, output: IMPUTED, prefix: 'logistic_regression.' });
    return builder
      .addInitializer({ name: WEIGHTS, datatype: 'FP32', dims: [1, cols], values: Array.from(this.coefficients) })
      .addInitializer({ name: BIAS, datatype: 'FP32', dims: [1], values: [this.intercept] })
      .addNode({ opType: 'Gemm', name: 'logistic_regression.gemm', inputs: [IMPUTED, WEIGHTS, BIAS], outputs: [LOGIT], attributes: { transB: { type: 'int', value: 1 } } })
      .addNode({ opType: 'Sigmoid', name: 'logistic_regression.sigmoid', inputs: [LOGIT], outputs: [MODEL_OUTPUT.binary] })
      .addOutput({ name: MODEL_OUTPUT.binary, datatype: 'FP32', shape: ['batch', 1] })
      .build(onnxModelOptions(options));
  }
}

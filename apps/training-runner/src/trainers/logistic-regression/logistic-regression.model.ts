import { OnnxGraphBuilder } from '@strata/onnx';

import { onnxModelOptions } from '../preprocessing/onnx-model-options';
import { type Standardizer } from '../preprocessing/standardizer';
import { StandardizerGraph } from '../preprocessing/standardizer-graph';
import { type Matrix } from '../shared/matrix';
import { MODEL_INPUT, MODEL_OUTPUT, type OnnxExportOptions, type TrainedModel } from '../shared/trainer';
import { sigmoid } from './logistic-objective';

const CENTERED = 'logistic_regression.centered';
const WEIGHTS = 'logistic_regression.weights';
const BIAS = 'logistic_regression.bias';
const LOGIT = 'logistic_regression.logit';

/**
 * A trained logistic regression with the feature scaling folded into its weights: on raw
 * features, `P(y = 1) = σ(b + Σ w'_j (x_j − mean_j))` with `w'_j = w_j / std_j`, a missing x_j
 * imputed by mean_j. The exported graph is Imputer → Sub(mean) → Gemm → Sigmoid; `predict`
 * uses the same float32 parameters.
 *
 * The means stay a Sub node rather than being folded into the bias too
 * (`b − Σ w'_j · mean_j`): with a feature whose mean is large against its spread (a year, an
 * epoch timestamp), the fully folded float32 Gemm adds terms hundreds of times the logit and
 * cancels them, which moved onnxruntime's probabilities by more than 1e-5 once mean/std
 * passed ~300. Centering first keeps every term of the sum at the logit's own scale.
 */
export class LogisticRegressionModel implements TrainedModel {
  /** Weights on the raw (centered) features, float32-rounded as exported. */
  readonly coefficients: Float64Array;
  /** The bias on raw features, `b − Σ w'_j · mean_j` (reporting only; the graph centers instead). */
  readonly intercept: number;
  // The bias applied to centered features, float32-rounded as exported.
  private readonly centeredBias: number;
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
    this.graph = new StandardizerGraph(standardizer);
    this.coefficients = new Float64Array(cols);
    this.centeredBias = Math.fround(standardizedParams[cols] as number);
    let intercept = this.centeredBias;
    for (let col = 0; col < cols; col += 1) {
      const weight = Math.fround((standardizedParams[col] as number) / (standardizer.scales[col] as number));
      this.coefficients[col] = weight;
      intercept -= weight * (this.graph.means[col] as number);
    }
    this.intercept = intercept;
  }

  predict(x: Matrix): Float64Array {
    const centered = this.graph.center(x);
    const { rows, cols } = x;
    const out = new Float64Array(rows);
    for (let row = 0; row < rows; row += 1) {
      let z = this.centeredBias;
      for (let col = 0; col < cols; col += 1) z += (this.coefficients[col] as number) * (centered[row * cols + col] as number);
      out[row] = sigmoid(z);
    }
    return out;
  }

  toOnnx(options: OnnxExportOptions): Uint8Array {
    const cols = this.coefficients.length;
    const builder = new OnnxGraphBuilder('logistic_regression')
      .addOpset('', 17)
      .addInput({ name: MODEL_INPUT, datatype: 'FP32', shape: ['batch', cols] });
    this.graph.addCentering(builder, { input: MODEL_INPUT, output: CENTERED, prefix: 'logistic_regression.' });
    return builder
      .addInitializer({ name: WEIGHTS, datatype: 'FP32', dims: [1, cols], values: Array.from(this.coefficients) })
      .addInitializer({ name: BIAS, datatype: 'FP32', dims: [1], values: [this.centeredBias] })
      .addNode({ opType: 'Gemm', name: 'logistic_regression.gemm', inputs: [CENTERED, WEIGHTS, BIAS], outputs: [LOGIT], attributes: { transB: { type: 'int', value: 1 } } })
      .addNode({ opType: 'Sigmoid', name: 'logistic_regression.sigmoid', inputs: [LOGIT], outputs: [MODEL_OUTPUT.binary] })
      .addOutput({ name: MODEL_OUTPUT.binary, datatype: 'FP32', shape: ['batch', 1] })
      .build(onnxModelOptions(options));
  }
}

import { type OnnxGraphBuilder } from '@strata/onnx';

import { type Matrix } from '../shared/matrix';
import { type Standardizer } from './standardizer';

// Hot loops call these through module constants: each global lookup (Math, Number) goes through
// the global object's interceptor in a vm context such as Jest's, costing ~0.5 µs per call.
const { fround } = Math;
const isMissing = Number.isNaN;

/** The ONNX-ML operator domain (Imputer) and the version the trainers import. */
export const ONNX_ML_DOMAIN = 'ai.onnx.ml';
export const ONNX_ML_OPSET_VERSION = 3;

/**
 * A {@link Standardizer} as an exported graph applies it: FP32 means and inverse scales, as the
 * first nodes of a model. Its `impute`/`standardize` compute exactly what onnxruntime computes
 * for those nodes (IEEE float32 results of float32 operands), so a trainer's `predict` starts
 * from the same numbers as the graph.
 */
export class StandardizerGraph {
  /** The imputed value of each column: its mean, rounded to float32. */
  readonly means: Float64Array;
  /** `1 / std` of each column, rounded to float32 (Mul is cheaper than Div and just as exact here). */
  readonly inverseScales: Float64Array;

  constructor(private readonly standardizer: Standardizer) {
    this.means = standardizer.means.map(Math.fround);
    this.inverseScales = standardizer.scales.map((scale) => Math.fround(1 / scale));
  }

  /**
   * Adds `output = input` with each NaN replaced by its column mean: an ai.onnx.ml `Imputer`
   * (onnxruntime matches NaN when `replaced_value_float` is NaN). Imports ai.onnx.ml.
   */
  addImputer(builder: OnnxGraphBuilder, names: { input: string; output: string; prefix: string }): void {
    builder.addOpset(ONNX_ML_DOMAIN, ONNX_ML_OPSET_VERSION).addNode({
      opType: 'Imputer',
      domain: ONNX_ML_DOMAIN,
      name: `${names.prefix}impute`,
      inputs: [names.input],
      outputs: [names.output],
      attributes: {
        imputed_value_floats: { type: 'floats', value: Array.from(this.means) },
        replaced_value_float: { type: 'float', value: Number.NaN },
      },
    });
  }

  /** Adds Imputer → Sub(mean): `output` is the centered input, missing values at 0. */
  addCentering(builder: OnnxGraphBuilder, names: { input: string; output: string; prefix: string }): void {
    const { prefix } = names;
    this.addImputer(builder, { input: names.input, output: `${prefix}imputed`, prefix });
    builder
      .addInitializer({ name: `${prefix}mean`, datatype: 'FP32', dims: [this.standardizer.columns], values: Array.from(this.means) })
      .addNode({ opType: 'Sub', name: `${prefix}center`, inputs: [`${prefix}imputed`, `${prefix}mean`], outputs: [names.output] });
  }

  /** Adds Imputer → Sub(mean) → Mul(1 / std): `output` is the standardized input, missing values at 0. */
  addStandardization(builder: OnnxGraphBuilder, names: { input: string; output: string; prefix: string }): void {
    const { prefix } = names;
    this.addCentering(builder, { input: names.input, output: `${prefix}centered`, prefix });
    builder
      .addInitializer({ name: `${prefix}inverse_std`, datatype: 'FP32', dims: [this.standardizer.columns], values: Array.from(this.inverseScales) })
      .addNode({ opType: 'Mul', name: `${prefix}scale`, inputs: [`${prefix}centered`, `${prefix}inverse_std`], outputs: [names.output] });
  }

  /** What {@link addImputer} outputs for `x` (row-major): float32-rounded values, NaN → mean. */
  impute(x: Matrix): Float64Array {
    this.standardizer.checkColumns(x);
    const { rows, cols } = x;
    const out = new Float64Array(rows * cols);
    for (let row = 0; row < rows; row += 1) {
      const offset = row * cols;
      for (let col = 0; col < cols; col += 1) {
        const value = fround(x.values[offset + col] as number);
        out[offset + col] = isMissing(value) ? (this.means[col] as number) : value;
      }
    }
    return out;
  }

  /** What {@link addCentering} outputs for `x` (row-major), rounded as float32 arithmetic rounds. */
  center(x: Matrix): Float64Array {
    const out = this.impute(x);
    const cols = x.cols;
    for (let index = 0; index < out.length; index += 1) out[index] = fround((out[index] as number) - (this.means[index % cols] as number));
    return out;
  }

  /** What {@link addStandardization} outputs for `x` (row-major), rounded as float32 arithmetic rounds. */
  standardize(x: Matrix): Float64Array {
    const out = this.center(x);
    const cols = x.cols;
    for (let index = 0; index < out.length; index += 1) out[index] = fround((out[index] as number) * (this.inverseScales[index % cols] as number));
    return out;
  }
}

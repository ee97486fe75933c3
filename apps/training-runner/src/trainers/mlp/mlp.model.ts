import { OnnxGraphBuilder } from '@strata/onnx';

import { onnxModelOptions } from '../preprocessing/onnx-model-options';
import { type Standardizer } from '../preprocessing/standardizer';
import { StandardizerGraph } from '../preprocessing/standardizer-graph';
import { type Matrix } from '../shared/matrix';
import { MODEL_INPUT, MODEL_OUTPUT, type OnnxExportOptions, type TrainedModel, type TrainingTask } from '../shared/trainer';
import { type MlpActivation, ONNX_ACTIVATION_OP } from './activation';
import { type DenseNetwork } from './dense-network';
import { MlpPasses } from './mlp-passes';
import { type OutputHead } from './output-head';

// Rows per predict pass: bounds the hidden-layer buffers whatever the input size.
const PREDICT_CHUNK_ROWS = 4096;

/** What an {@link MlpModel} is made of. */
export interface MlpModelParts {
  readonly iterations: number;
  readonly task: TrainingTask;
  readonly standardizer: Standardizer;
  /** The trained network (standardized inputs; standardized targets for regression). */
  readonly network: DenseNetwork;
  readonly hiddenActivation: MlpActivation;
  readonly head: OutputHead;
  /** Regression only: the train targets' mean and std, folded into the output layer. */
  readonly target?: { readonly mean: number; readonly scale: number };
}

/**
 * A trained MLP as exported: Imputer → Sub(mean) → Mul(1 / std) → (Gemm → activation) per
 * hidden layer → Gemm → Sigmoid | identity | Softmax. Weights are float32-rounded once, and
 * `predict` runs them in float64 on the graph's own standardized inputs.
 */
export class MlpModel implements TrainedModel {
  readonly iterations: number;
  readonly task: TrainingTask;
  private readonly graph: StandardizerGraph;
  private readonly network: DenseNetwork;
  private readonly hiddenActivation: MlpActivation;
  private readonly head: OutputHead;

  constructor(parts: MlpModelParts) {
    this.iterations = parts.iterations;
    this.task = parts.task;
    this.graph = new StandardizerGraph(parts.standardizer);
    this.hiddenActivation = parts.hiddenActivation;
    this.head = parts.head;
    const params = Float64Array.from(parts.network.params);
    const output = parts.network.layers.at(-1);
    if (parts.target !== undefined && output !== undefined) {
      // y = mean + scale · score: scale the output weights and bias, then shift the bias.
      for (let offset = output.weightOffset; offset < output.biasOffset + output.outputs; offset += 1) params[offset] = (params[offset] as number) * parts.target.scale;
      params[output.biasOffset] = (params[output.biasOffset] as number) + parts.target.mean;
    }
    this.network = parts.network.withParams(params.map(Math.fround));
  }

  predict(x: Matrix): Float64Array {
    const standardized = this.graph.standardize(x);
    const units = this.head.units;
    const out = new Float64Array(x.rows * units);
    const passes = new MlpPasses(this.network, this.head, { hiddenActivation: this.hiddenActivation, batchSize: Math.min(PREDICT_CHUNK_ROWS, Math.max(x.rows, 1)) });
    for (let start = 0; start < x.rows; start += PREDICT_CHUNK_ROWS) {
      const rows = Math.min(PREDICT_CHUNK_ROWS, x.rows - start);
      out.set(passes.outputs(standardized.subarray(start * x.cols), rows), start * units);
    }
    return out;
  }

  toOnnx(options: OnnxExportOptions): Uint8Array {
    const { layers, params } = this.network;
    const features = this.network.sizes[0] as number;
    const output = MODEL_OUTPUT[this.task];
    const builder = new OnnxGraphBuilder('mlp').addOpset('', 17).addInput({ name: MODEL_INPUT, datatype: 'FP32', shape: ['batch', features] });
    this.graph.addStandardization(builder, { input: MODEL_INPUT, output: 'mlp.standardized', prefix: 'mlp.' });
    const headNode = this.head.onnxNode('mlp.scores', output);
    let current = 'mlp.standardized';
    layers.forEach((layer, index) => {
      const name = `mlp.layer${index}`;
      const last = index === layers.length - 1;
      const linear = last ? (headNode === undefined ? output : 'mlp.scores') : `${name}.linear`;
      builder
        .addInitializer({ name: `${name}.weight`, datatype: 'FP32', dims: [layer.inputs, layer.outputs], values: params.subarray(layer.weightOffset, layer.biasOffset) })
        .addInitializer({ name: `${name}.bias`, datatype: 'FP32', dims: [layer.outputs], values: params.subarray(layer.biasOffset, layer.biasOffset + layer.outputs) })
        .addNode({ opType: 'Gemm', name: `${name}.gemm`, inputs: [current, `${name}.weight`, `${name}.bias`], outputs: [linear] });
      if (last) return;
      current = `${name}.${this.hiddenActivation}`;
      builder.addNode({ opType: ONNX_ACTIVATION_OP[this.hiddenActivation], name: `${name}.activation`, inputs: [linear], outputs: [current] });
    });
    if (headNode !== undefined) builder.addNode(headNode);
    return builder.addOutput({ name: output, datatype: 'FP32', shape: ['batch', this.head.units] }).build(onnxModelOptions(options));
  }
}

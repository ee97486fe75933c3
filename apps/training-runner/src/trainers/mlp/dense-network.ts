import { type MlpActivation } from './activation';
import { accumulateWeightGradient, affineForward, propagateToInputs } from './dense-kernels';

/** Where one fully connected layer keeps its parameters in the flat vector. */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** Offset of the `inputs × outputs` weights (row-major: one row per input, as Gemm's B without transB). */
  readonly weightOffset: number;
  /** Offset of the `outputs` biases (right after the weights). */
  readonly biasOffset: number;
}

// Module constants instead of Math.*: a global lookup per call is slow inside vm contexts (Jest).
const { cos, log, PI, sqrt } = Math;

/**
 * The parameters of a stack of fully connected layers in one flat `Float64Array` (so the
 * optimizer, the best-epoch copy and the export treat them as one vector), with the two
 * kernels every pass needs: the affine map of a layer and its backward pass.
 */
export class DenseNetwork {
  readonly layers: readonly DenseLayer[];

  constructor(
    /** Units per layer, input first: `[features, ...hidden, outputs]`. */
    readonly sizes: readonly number[],
    readonly params: Float64Array = new Float64Array(parameterCount(sizes)),
  ) {
    const layers: DenseLayer[] = [];
    let offset = 0;
    for (let layer = 1; layer < sizes.length; layer += 1) {
      const inputs = sizes[layer - 1] as number;
      const outputs = sizes[layer] as number;
      layers.push({ inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs });
      offset += (inputs + 1) * outputs;
    }
    if (params.length !== offset) throw new RangeError(`expected ${offset} parameters, got ${params.length}`);
    this.layers = layers;
  }

  /**
   * A network with seeded random weights and zero biases: He-normal (std √(2 / fan_in)) into
   * ReLU units, Glorot-normal (std √(2 / (fan_in + fan_out))) into tanh/sigmoid units and the
   * output layer.
   */
  static initialize(sizes: readonly number[], hiddenActivation: MlpActivation, random: () => number): DenseNetwork {
    const network = new DenseNetwork(sizes);
    network.layers.forEach((layer, index) => {
      const output = index === network.layers.length - 1;
      const std = hiddenActivation === 'relu' && !output ? sqrt(2 / layer.inputs) : sqrt(2 / (layer.inputs + layer.outputs));
      for (let offset = layer.weightOffset; offset < layer.biasOffset; offset += 1) network.params[offset] = std * standardNormal(random);
    });
    return network;
  }

  /** The same shape with other parameters. */
  withParams(params: Float64Array): DenseNetwork {
    return new DenseNetwork(this.sizes, params);
  }

  /** `output[r, o] = bias[o] + Σ_i input[r, i] · weight[i, o]` for `rows` rows. */
  affine(layer: DenseLayer, input: Float64Array, rows: number, output: Float64Array): void {
    affineForward(this.params, layer.weightOffset, layer.biasOffset, input, rows, layer.inputs, layer.outputs, output);
  }

  /**
   * Backward pass of {@link affine}: adds `Σ_r input[r, i] · delta[r, o]` to the weight
   * gradients and `Σ_r delta[r, o]` to the bias gradients (same layout as `params`), and with
   * `inputGradient` writes `Σ_o delta[r, o] · weight[i, o]` into it.
   */
  backward(layer: DenseLayer, input: Float64Array, delta: Float64Array, rows: number, gradient: Float64Array, inputGradient?: Float64Array): void {
    accumulateWeightGradient(gradient, layer.weightOffset, layer.biasOffset, input, delta, rows, layer.inputs, layer.outputs);
    if (inputGradient !== undefined) propagateToInputs(this.params, layer.weightOffset, delta, rows, layer.inputs, layer.outputs, inputGradient);
  }
}

function parameterCount(sizes: readonly number[]): number {
  let count = 0;
  for (let layer = 1; layer < sizes.length; layer += 1) count += ((sizes[layer - 1] as number) + 1) * (sizes[layer] as number);
  return count;
}

/** Box–Muller on a seeded uniform source. */
function standardNormal(random: () => number): number {
  return sqrt(-2 * log(1 - random())) * cos(2 * PI * random());
}

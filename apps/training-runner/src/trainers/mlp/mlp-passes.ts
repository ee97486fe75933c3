import { type Matrix } from '../shared/matrix';
import { activate, backpropagateActivation, type MlpActivation } from './activation';
import { type DenseNetwork } from './dense-network';
import { type OutputHead } from './output-head';

/** How {@link MlpPasses} runs the network. */
export interface MlpPassOptions {
  readonly hiddenActivation: MlpActivation;
  /** Rows per pass; the buffers are sized for it once. */
  readonly batchSize: number;
  /** Dropout rate of the hidden layers in training passes. Default 0. */
  readonly dropout?: number;
  /** Draws the dropout masks (required when dropout > 0). */
  readonly random?: () => number;
}

/**
 * Forward and backward passes of a {@link DenseNetwork} over mini-batches, with every buffer
 * allocated once for `batchSize` rows (no allocation per row or per batch).
 */
export class MlpPasses {
  // inputs[l]: the input of layer l (gathered rows for l = 0, the previous hidden layer's output after dropout).
  private readonly inputs: Float64Array[];
  // hidden[l]: hidden layer l's activation outputs before dropout (the same buffer as inputs[l + 1] without dropout).
  private readonly hidden: Float64Array[];
  private readonly masks: Float64Array[];
  // deltas[l]: ∂loss/∂(pre-activation) of layer l; deltas[l - 1] doubles as layer l's input gradient.
  private readonly deltas: Float64Array[];
  private readonly scores: Float64Array;
  private readonly targets: Float64Array;
  private readonly dropout: number;

  constructor(
    private readonly network: DenseNetwork,
    private readonly head: OutputHead,
    private readonly options: MlpPassOptions,
  ) {
    const { batchSize } = options;
    const { sizes, layers } = network;
    this.dropout = options.dropout ?? 0;
    if (this.dropout > 0 && options.random === undefined) throw new RangeError('dropout needs a random source');
    const hiddenLayers = layers.length - 1;
    this.hidden = Array.from({ length: hiddenLayers }, (_, layer) => new Float64Array(batchSize * (sizes[layer + 1] as number)));
    this.masks = this.dropout > 0 ? this.hidden.map((buffer) => new Float64Array(buffer.length)) : [];
    this.inputs = [new Float64Array(batchSize * (sizes[0] as number)), ...(this.dropout > 0 ? this.hidden.map((buffer) => new Float64Array(buffer.length)) : this.hidden)];
    this.scores = new Float64Array(batchSize * head.units);
    this.deltas = [...this.hidden.map((buffer) => new Float64Array(buffer.length)), new Float64Array(batchSize * head.units)];
    this.targets = new Float64Array(batchSize);
  }

  /**
   * One training step's gradient on rows `order[start..end)` of `x`/`y` (dropout on): overwrites
   * `gradient` with the mean loss gradient plus `l2 · W`, and returns the summed loss.
   */
  gradient(x: Matrix, y: Float64Array, order: Uint32Array, start: number, end: number, gradient: Float64Array, l2: number): number {
    const rows = end - start;
    const cols = x.cols;
    const batch = this.inputs[0] as Float64Array;
    for (let row = 0; row < rows; row += 1) {
      const source = order[start + row] as number;
      const from = source * cols;
      const to = row * cols;
      for (let col = 0; col < cols; col += 1) batch[to + col] = x.values[from + col] as number;
      this.targets[row] = y[source] as number;
    }
    const scores = this.forward(batch, rows, true);
    const { layers } = this.network;
    const last = layers.length - 1;
    const loss = this.head.loss(scores, this.targets, rows, this.deltas[last], 1 / rows);

    gradient.fill(0);
    for (let layer = last; layer >= 0; layer -= 1) {
      const spec = layers[layer] as (typeof layers)[number];
      const input = this.inputs[layer] as Float64Array;
      const delta = this.deltas[layer] as Float64Array;
      if (layer === 0) {
        this.network.backward(spec, input, delta, rows, gradient);
        break;
      }
      const below = this.deltas[layer - 1] as Float64Array;
      this.network.backward(spec, input, delta, rows, gradient, below);
      const length = rows * spec.inputs;
      if (this.dropout > 0) {
        const mask = this.masks[layer - 1] as Float64Array;
        for (let index = 0; index < length; index += 1) below[index] = (below[index] as number) * (mask[index] as number);
      }
      backpropagateActivation(this.options.hiddenActivation, this.hidden[layer - 1] as Float64Array, below, length);
    }
    if (l2 > 0) this.addWeightDecay(gradient, l2);
    return loss;
  }

  /** Summed loss over every row of `x`/`y`, without dropout. */
  loss(x: Matrix, y: Float64Array): number {
    let sum = 0;
    for (let start = 0; start < x.rows; start += this.options.batchSize) {
      const rows = Math.min(this.options.batchSize, x.rows - start);
      const scores = this.forward(x.values.subarray(start * x.cols), rows, false);
      sum += this.head.loss(scores, y.subarray(start, start + rows), rows);
    }
    return sum;
  }

  /** The model outputs (head applied) of `rows` rows of `input` (row-major), without dropout; a view valid until the next pass. */
  outputs(input: Float64Array, rows: number): Float64Array {
    const scores = this.forward(input, rows, false);
    this.head.toOutputs(scores, rows);
    return scores.subarray(0, rows * this.head.units);
  }

  private forward(input: Float64Array, rows: number, training: boolean): Float64Array {
    const { layers } = this.network;
    const dropout = training ? this.dropout : 0;
    let current = input;
    for (let layer = 0; layer < layers.length; layer += 1) {
      const spec = layers[layer] as (typeof layers)[number];
      if (layer === layers.length - 1) {
        this.network.affine(spec, current, rows, this.scores);
        break;
      }
      const output = this.hidden[layer] as Float64Array;
      this.network.affine(spec, current, rows, output);
      activate(this.options.hiddenActivation, output, rows * spec.outputs);
      current = dropout > 0 ? this.dropOut(layer, rows * spec.outputs) : output;
    }
    return this.scores;
  }

  // Inverted dropout: kept units are scaled by 1 / keep, so evaluation needs no rescaling.
  private dropOut(layer: number, length: number): Float64Array {
    const keep = 1 - this.dropout;
    const random = this.options.random as () => number;
    const output = this.hidden[layer] as Float64Array;
    const mask = this.masks[layer] as Float64Array;
    const dropped = this.inputs[layer + 1] as Float64Array;
    for (let index = 0; index < length; index += 1) {
      const factor = random() < keep ? 1 / keep : 0;
      mask[index] = factor;
      dropped[index] = (output[index] as number) * factor;
    }
    return dropped;
  }

  private addWeightDecay(gradient: Float64Array, l2: number): void {
    const params = this.network.params;
    for (const layer of this.network.layers) {
      for (let offset = layer.weightOffset; offset < layer.biasOffset; offset += 1) gradient[offset] = (gradient[offset] as number) + l2 * (params[offset] as number);
    }
  }
}

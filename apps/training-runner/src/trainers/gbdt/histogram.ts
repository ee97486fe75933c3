import { type BinnedMatrix, type FeatureBinning } from './binning';

/** Values stored per (feature, bin): gradient sum, hessian sum, row count. */
export const HISTOGRAM_STRIDE = 3;

/**
 * Where each feature's bins start in a histogram: a histogram is one Float64Array holding, for
 * every feature and bin (the missing bin included), the gradient sum, hessian sum and row count
 * of a node's rows, at `(offsets[feature] + bin) * HISTOGRAM_STRIDE`.
 */
export class HistogramLayout {
  readonly offsets: Int32Array;
  readonly binCounts: Int32Array;
  /** Float64 slots of one histogram. */
  readonly size: number;

  constructor(binning: FeatureBinning) {
    const features = binning.featureCount;
    this.offsets = new Int32Array(features);
    this.binCounts = new Int32Array(features);
    let total = 0;
    for (let feature = 0; feature < features; feature += 1) {
      this.offsets[feature] = total;
      this.binCounts[feature] = binning.binCount(feature);
      total += this.binCounts[feature];
    }
    this.size = total * HISTOGRAM_STRIDE;
  }

  allocate(): Float64Array {
    return new Float64Array(this.size);
  }
}

/**
 * Fills histograms from the rows of a node. It gathers the node's gradients into contiguous
 * scratch arrays first, so the per-feature passes read them sequentially.
 */
export class HistogramBuilder {
  private readonly nodeGradients: Float64Array;
  private readonly nodeHessians: Float64Array;

  constructor(
    private readonly layout: HistogramLayout,
    private readonly binned: BinnedMatrix,
  ) {
    this.nodeGradients = new Float64Array(binned.rows);
    this.nodeHessians = new Float64Array(binned.rows);
  }

  /** Overwrites `target` with the sums over `rows[start..end)`. */
  build(target: Float64Array, rows: Uint32Array, start: number, end: number, gradients: Float64Array, hessians: Float64Array): void {
    const count = end - start;
    const nodeGradients = this.nodeGradients;
    const nodeHessians = this.nodeHessians;
    for (let i = 0; i < count; i += 1) {
      const row = rows[start + i];
      nodeGradients[i] = gradients[row];
      nodeHessians[i] = hessians[row];
    }
    target.fill(0);
    const features = this.layout.offsets.length;
    let feature = 0;
    // Several features per pass over the rows: the row index and gradients are loaded once for up
    // to four histogram updates (about twice as fast as one feature per pass in V8).
    for (; feature + 4 <= features; feature += 4) this.accumulateFour(target, feature, rows, start, count);
    if (feature + 2 <= features) {
      this.accumulateTwo(target, feature, rows, start, count);
      feature += 2;
    }
    if (feature < features) this.accumulateOne(target, feature, rows, start, count);
  }

  private accumulateFour(target: Float64Array, feature: number, rows: Uint32Array, start: number, count: number): void {
    const { bins, rows: totalRows } = this.binned;
    const { offsets } = this.layout;
    const { nodeGradients, nodeHessians } = this;
    const column0 = feature * totalRows;
    const column1 = column0 + totalRows;
    const column2 = column1 + totalRows;
    const column3 = column2 + totalRows;
    const base0 = offsets[feature] * HISTOGRAM_STRIDE;
    const base1 = offsets[feature + 1] * HISTOGRAM_STRIDE;
    const base2 = offsets[feature + 2] * HISTOGRAM_STRIDE;
    const base3 = offsets[feature + 3] * HISTOGRAM_STRIDE;
    for (let i = 0; i < count; i += 1) {
      const row = rows[start + i];
      const gradient = nodeGradients[i];
      const hessian = nodeHessians[i];
      let slot = base0 + bins[column0 + row] * HISTOGRAM_STRIDE;
      target[slot] += gradient;
      target[slot + 1] += hessian;
      target[slot + 2] += 1;
      slot = base1 + bins[column1 + row] * HISTOGRAM_STRIDE;
      target[slot] += gradient;
      target[slot + 1] += hessian;
      target[slot + 2] += 1;
      slot = base2 + bins[column2 + row] * HISTOGRAM_STRIDE;
      target[slot] += gradient;
      target[slot + 1] += hessian;
      target[slot + 2] += 1;
      slot = base3 + bins[column3 + row] * HISTOGRAM_STRIDE;
      target[slot] += gradient;
      target[slot + 1] += hessian;
      target[slot + 2] += 1;
    }
  }

  private accumulateTwo(target: Float64Array, feature: number, rows: Uint32Array, start: number, count: number): void {
    const { bins, rows: totalRows } = this.binned;
    const { offsets } = this.layout;
    const { nodeGradients, nodeHessians } = this;
    const column0 = feature * totalRows;
    const column1 = column0 + totalRows;
    const base0 = offsets[feature] * HISTOGRAM_STRIDE;
    const base1 = offsets[feature + 1] * HISTOGRAM_STRIDE;
    for (let i = 0; i < count; i += 1) {
      const row = rows[start + i];
      const gradient = nodeGradients[i];
      const hessian = nodeHessians[i];
      let slot = base0 + bins[column0 + row] * HISTOGRAM_STRIDE;
      target[slot] += gradient;
      target[slot + 1] += hessian;
      target[slot + 2] += 1;
      slot = base1 + bins[column1 + row] * HISTOGRAM_STRIDE;
      target[slot] += gradient;
      target[slot + 1] += hessian;
      target[slot + 2] += 1;
    }
  }

  private accumulateOne(target: Float64Array, feature: number, rows: Uint32Array, start: number, count: number): void {
    const { bins, rows: totalRows } = this.binned;
    const { nodeGradients, nodeHessians } = this;
    const column = feature * totalRows;
    const base = this.layout.offsets[feature] * HISTOGRAM_STRIDE;
    for (let i = 0; i < count; i += 1) {
      const slot = base + bins[column + rows[start + i]] * HISTOGRAM_STRIDE;
      target[slot] += nodeGradients[i];
      target[slot + 1] += nodeHessians[i];
      target[slot + 2] += 1;
    }
  }
}

/** `parent -= child`, in place: the sibling's histogram without a pass over its rows. */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i += 1) parent[i] -= child[i];
}

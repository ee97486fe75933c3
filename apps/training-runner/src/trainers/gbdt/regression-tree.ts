import { type BinnedMatrix } from './binning';

// A module-level alias: inside Jest's vm sandbox `Number.isNaN` in a hot loop is a slow global lookup.
const isMissing = Number.isNaN;

/**
 * One trained tree as parallel arrays; node 0 is the root. A split node sends a row left when its
 * float32 feature value is `<= threshold` (equivalently its bin is `<= bin`), or when the value is
 * NaN and `missingLeft` is set; a leaf (`left < 0`) holds a float32 value.
 */
export class RegressionTree {
  constructor(
    readonly feature: Int32Array,
    /** Float32 values; +Infinity for "every non-missing value". */
    readonly threshold: Float64Array,
    readonly bin: Int32Array,
    readonly missingLeft: Uint8Array,
    readonly left: Int32Array,
    readonly right: Int32Array,
    /** Float32 leaf values (0 on split nodes). */
    readonly value: Float64Array,
  ) {}

  get nodeCount(): number {
    return this.left.length;
  }

  isLeaf(node: number): boolean {
    return this.left[node] < 0;
  }

  /** Adds each binned row's leaf value to `scores[row]` (training and validation rows). */
  addValues(binned: BinnedMatrix, missingBins: Int32Array, scores: Float64Array): void {
    const { bins, rows } = binned;
    const { feature, bin, missingLeft, left, right, value } = this;
    for (let row = 0; row < rows; row += 1) {
      let node = 0;
      while (left[node] >= 0) {
        const splitFeature = feature[node];
        const rowBin = bins[splitFeature * rows + row];
        const goLeft = rowBin === missingBins[splitFeature] ? missingLeft[node] === 1 : rowBin <= bin[node];
        node = goLeft ? left[node] : right[node];
      }
      scores[row] += value[node];
    }
  }

  /** The leaf value of a row of float32-rounded features starting at `values[offset]`, as the ONNX graph walks it. */
  valueOfRow(values: Float32Array, offset: number): number {
    let node = 0;
    while (this.left[node] >= 0) {
      const x = values[offset + this.feature[node]];
      const goLeft = isMissing(x) ? this.missingLeft[node] === 1 : x <= this.threshold[node];
      node = goLeft ? this.left[node] : this.right[node];
    }
    return this.value[node];
  }
}

/** Collects nodes while a tree grows (ids in creation order), then freezes them into a {@link RegressionTree}. */
export class RegressionTreeNodes {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly bin: number[] = [];
  private readonly missingLeft: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly value: number[] = [];

  /** Reserves a node id (a leaf of value 0 until set). */
  add(): number {
    this.feature.push(0);
    this.threshold.push(0);
    this.bin.push(0);
    this.missingLeft.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(0);
    return this.left.length - 1;
  }

  /** Makes `node` a leaf and returns its value rounded to float32. */
  setLeaf(node: number, value: number): number {
    this.value[node] = Math.fround(value);
    return this.value[node];
  }

  setSplit(node: number, split: { feature: number; bin: number; threshold: number; missingLeft: boolean; left: number; right: number }): void {
    this.feature[node] = split.feature;
    this.bin[node] = split.bin;
    this.threshold[node] = Math.fround(split.threshold);
    this.missingLeft[node] = split.missingLeft ? 1 : 0;
    this.left[node] = split.left;
    this.right[node] = split.right;
  }

  build(): RegressionTree {
    return new RegressionTree(
      Int32Array.from(this.feature),
      Float64Array.from(this.threshold),
      Int32Array.from(this.bin),
      Uint8Array.from(this.missingLeft),
      Int32Array.from(this.left),
      Int32Array.from(this.right),
      Float64Array.from(this.value),
    );
  }
}

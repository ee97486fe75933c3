import { type Matrix, toFloat32 } from '../shared/matrix';

// A module-level alias: inside Jest's vm sandbox `Number.isNaN` in a hot loop is a slow global lookup.
const isMissing = Number.isNaN;

/** Feature values replaced by bin indices, column-major: `bins[feature * rows + row]`. */
export interface BinnedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly bins: Uint8Array;
}

/**
 * Quantile bin edges per feature, learned once from the training split. Feature `f` has
 * `edges[f].length + 1` value bins and one more bin for NaN: a value `x` (rounded to float32)
 * falls in the first bin `b` with `x <= edges[f][b]` (the last value bin when there is none).
 * The edges are float32 values, so "bin <= b" and the exported `x <= threshold` agree exactly.
 */
export class FeatureBinning {
  private constructor(readonly edges: readonly Float64Array[]) {}

  /** Learns at most `maxBins` value bins (2..255) per feature from the rows of `x`. */
  static fitOn(x: Matrix, maxBins: number): FeatureBinning {
    const values = toFloat32(x);
    const edges: Float64Array[] = [];
    for (let feature = 0; feature < x.cols; feature += 1) edges.push(quantileEdges(sortedValues(values, x.rows, x.cols, feature), maxBins));
    return new FeatureBinning(edges);
  }

  get featureCount(): number {
    return this.edges.length;
  }

  /** Value bins plus the missing bin of `feature`. */
  binCount(feature: number): number {
    return this.edges[feature].length + 2;
  }

  /** The index of the NaN bin of `feature` (after its value bins). */
  missingBin(feature: number): number {
    return this.edges[feature].length + 1;
  }

  /** The upper edge of value bin `bin`: rows in bins `<= bin` satisfy `x <= threshold`. The last value bin has +Infinity. */
  threshold(feature: number, bin: number): number {
    const featureEdges = this.edges[feature];
    return bin < featureEdges.length ? featureEdges[bin] : Number.POSITIVE_INFINITY;
  }

  /** Bins every value of `x` (which must have the fitted column count). */
  transform(x: Matrix): BinnedMatrix {
    if (x.cols !== this.edges.length) throw new RangeError(`expected ${this.edges.length} features, got ${x.cols}`);
    const values = toFloat32(x);
    const bins = new Uint8Array(x.rows * x.cols);
    for (let feature = 0; feature < x.cols; feature += 1) {
      const featureEdges = this.edges[feature];
      const missing = featureEdges.length + 1;
      const column = feature * x.rows;
      for (let row = 0; row < x.rows; row += 1) {
        const value = values[row * x.cols + feature];
        bins[column + row] = isMissing(value) ? missing : lowerBound(featureEdges, value);
      }
    }
    return { rows: x.rows, cols: x.cols, bins };
  }
}

/** The non-missing values of one column of row-major float32 values (as the model will see them), sorted. */
function sortedValues(values: Float32Array, rows: number, cols: number, feature: number): Float64Array {
  const column = new Float64Array(rows);
  let count = 0;
  for (let row = 0; row < rows; row += 1) {
    const value = values[row * cols + feature];
    if (!isMissing(value)) column[count++] = value;
  }
  return column.subarray(0, count).sort();
}

/**
 * Edges that split the sorted values into at most `maxBins` bins of about equal row counts. Few
 * distinct values get one bin each; a heavy value never straddles two bins, and the target size
 * is recomputed after each cut so that one heavy value does not starve the rest.
 */
function quantileEdges(sorted: Float64Array, maxBins: number): Float64Array {
  const { distinct, counts } = distinctValues(sorted);
  const edges: number[] = [];
  let rowsLeft = sorted.length;
  let inBin = 0;
  for (let i = 0; i < distinct.length - 1; i += 1) {
    const binsLeft = maxBins - edges.length;
    if (binsLeft <= 1) break;
    inBin += counts[i];
    const gapsLeft = distinct.length - 1 - i;
    if (gapsLeft < binsLeft || inBin >= rowsLeft / binsLeft) {
      edges.push(edgeBetween(distinct[i], distinct[i + 1]));
      rowsLeft -= inBin;
      inBin = 0;
    }
  }
  return Float64Array.from(edges);
}

function distinctValues(sorted: Float64Array): { distinct: Float64Array; counts: Uint32Array } {
  const distinct = new Float64Array(sorted.length);
  const counts = new Uint32Array(sorted.length);
  let size = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    if (size > 0 && distinct[size - 1] === sorted[i]) {
      counts[size - 1] += 1;
    } else {
      distinct[size] = sorted[i];
      counts[size] = 1;
      size += 1;
    }
  }
  return { distinct: distinct.subarray(0, size), counts: counts.subarray(0, size) };
}

/** A float32 threshold `t` with `low <= t < high` (the midpoint when float32 can hold one). */
function edgeBetween(low: number, high: number): number {
  const middle = Math.fround(low / 2 + high / 2);
  // Rounding may land on `high` (which would send `high` itself to the lower bin); -Inf/+Inf give NaN.
  return middle > low && middle < high ? middle : low;
}

/** The first index `b` with `value <= edges[b]`, or `edges.length`. */
function lowerBound(edges: Float64Array, value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= edges[middle]) high = middle;
    else low = middle + 1;
  }
  return low;
}

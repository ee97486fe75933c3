import { matrixOf } from '../shared/matrix';
import { seededRandom } from '../shared/random';
import { FeatureBinning } from './binning';
import { syntheticData } from './gbdt-data.fixtures';
import { HistogramBuilder, HistogramLayout, subtractHistogram } from './histogram';
import { findBestSplit } from './split-finder';
import { TreeBuilder } from './tree-builder';

const RULES = { l2: 1, minSamplesLeaf: 1, minHessian: 1e-3 };

function gradientsOf(rows: number, seed: number): { gradients: Float64Array; hessians: Float64Array } {
  const random = seededRandom(seed);
  return {
    gradients: Float64Array.from({ length: rows }, () => random() - 0.5),
    hessians: Float64Array.from({ length: rows }, () => 0.1 + random()),
  };
}

function allRows(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, row) => row);
}

describe(TreeBuilder.name, () => {
  const data = syntheticData(() => 0, { rows: 1000, cols: 5, seed: 1, missingRate: 0.1 });
  const binning = FeatureBinning.fitOn(data.x, 64);
  const binned = binning.transform(data.x);
  const { gradients, hessians } = gradientsOf(1000, 2);

  it('gets the sibling histogram as parent minus child when using the subtraction trick', () => {
    const layout = new HistogramLayout(binning);
    const histograms = new HistogramBuilder(layout, binned);
    const rows = allRows(1000);
    const [parent, left, right] = [layout.allocate(), layout.allocate(), layout.allocate()];

    histograms.build(parent, rows, 0, 1000, gradients, hessians);
    histograms.build(left, rows, 0, 300, gradients, hessians);
    histograms.build(right, rows, 300, 1000, gradients, hessians);
    subtractHistogram(parent, left);

    parent.forEach((value, slot) => expect(value).toBeCloseTo(right[slot], 10));
  });

  it('limits the depth and leaf sizes and reports leaves covering every row when growing a tree', () => {
    const builder = new TreeBuilder(binned, binning, { ...RULES, minSamplesLeaf: 30, maxDepth: 3, learningRate: 0.5 });
    const rows = allRows(1000);
    const leaves: { start: number; end: number; value: number }[] = [];

    const tree = builder.build(rows, gradients, hessians, (start, end, value) => leaves.push({ start, end, value }));

    expect(leaves.length).toBeGreaterThan(1);
    expect(leaves.length).toBeLessThanOrEqual(8);
    expect(leaves.every((leaf) => leaf.end - leaf.start >= 30)).toBe(true);
    expect(leaves.reduce((total, leaf) => total + leaf.end - leaf.start, 0)).toBe(1000);
    expect(Array.from(rows).sort((a, b) => a - b)).toEqual(Array.from(allRows(1000)));
    for (const leaf of leaves) {
      let gradient = 0;
      let hessian = 0;
      for (let i = leaf.start; i < leaf.end; i += 1) {
        gradient += gradients[rows[i]];
        hessian += hessians[rows[i]];
        // Every row of the leaf range walks the tree to this leaf.
        expect(tree.valueOfRow(Float32Array.from(data.x.values.subarray(rows[i] * 5, rows[i] * 5 + 5)), 0)).toBe(leaf.value);
      }
      expect(leaf.value).toBeCloseTo(Math.fround((-gradient / (hessian + 1)) * 0.5), 6);
    }
  });
});

describe(findBestSplit.name, () => {
  function bestSplitOf(x: ReturnType<typeof matrixOf>, gradients: number[]): ReturnType<typeof findBestSplit> {
    const binning = FeatureBinning.fitOn(x, 255);
    const layout = new HistogramLayout(binning);
    const histogram = layout.allocate();
    new HistogramBuilder(layout, binning.transform(x)).build(histogram, allRows(x.rows), 0, x.rows, Float64Array.from(gradients), new Float64Array(x.rows).fill(1));
    const gradient = gradients.reduce((total, value) => total + value, 0);
    return findBestSplit(histogram, layout, { gradient, hessian: x.rows, count: x.rows }, RULES);
  }

  it('separates the rows whose gradients differ when one feature tells them apart', () => {
    const x = matrixOf([
      [1, 5],
      [2, 5],
      [3, 6],
      [4, 6],
    ]);

    const split = bestSplitOf(x, [-1, -1, 1, 1]);

    expect(split).toMatchObject({ feature: 0, bin: 1, left: { count: 2, gradient: -2 } });
  });

  it('sends NaN with the rows it resembles when the node has missing values', () => {
    const x = matrixOf([[1], [2], [Number.NaN], [3], [4], [Number.NaN]]);

    const split = bestSplitOf(x, [1, 1, 1, -1, -1, 1]);

    expect(split).toMatchObject({ feature: 0, bin: 1, missingLeft: true, left: { count: 4 } });
  });

  it('finds no split when every gradient is the same', () => {
    const x = matrixOf([[1], [2], [3], [4]]);

    expect(bestSplitOf(x, [0.5, 0.5, 0.5, 0.5])).toBeUndefined();
  });
});

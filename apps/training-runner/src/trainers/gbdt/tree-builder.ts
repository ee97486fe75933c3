import { type BinnedMatrix, type FeatureBinning } from './binning';
import { HistogramBuilder, HistogramLayout, subtractHistogram } from './histogram';
import { RegressionTree, RegressionTreeNodes } from './regression-tree';
import { findBestSplit, type NodeStats, type Split, type SplitRules } from './split-finder';

/** How one tree grows. */
export interface TreeGrowthOptions extends SplitRules {
  readonly maxDepth: number;
  readonly learningRate: number;
}

/** Told the rows `rows[start..end)` of each leaf and its value, right after the tree is grown. */
export type LeafVisitor = (start: number, end: number, value: number) => void;

/** A node waiting to be grown: its rows are `rows[start..end)`. */
interface PendingNode {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  /** The histogram slot holding this node's histogram, or -1 when it will not be split. */
  readonly slot: number;
  readonly stats: NodeStats;
}

/**
 * Grows depth-limited regression trees on gradients and hessians over pre-binned features.
 * Only the smaller child's histogram is built from its rows; the larger child's is the parent's
 * minus it, computed in place. Histogram memory is one buffer per depth: a node at depth d keeps
 * its histogram in a slot <= d and its subtree writes only its own slot and slots > d, so
 * depth-first growth never overwrites a histogram that is still needed.
 */
export class TreeBuilder {
  private readonly layout: HistogramLayout;
  private readonly histograms: HistogramBuilder;
  private readonly slots: Float64Array[] = [];
  private readonly scratch: Uint32Array;
  readonly missingBins: Int32Array;

  constructor(
    private readonly binned: BinnedMatrix,
    private readonly binning: FeatureBinning,
    private readonly options: TreeGrowthOptions,
  ) {
    this.layout = new HistogramLayout(binning);
    this.histograms = new HistogramBuilder(this.layout, binned);
    for (let depth = 0; depth < options.maxDepth; depth += 1) this.slots.push(this.layout.allocate());
    this.scratch = new Uint32Array(binned.rows);
    this.missingBins = Int32Array.from({ length: binning.featureCount }, (_, feature) => binning.missingBin(feature));
  }

  /**
   * Grows one tree on `rows` (reordered in place: each leaf's rows end up contiguous) with leaf
   * values −G/(H + l2) × learning rate, rounded to float32.
   */
  build(rows: Uint32Array, gradients: Float64Array, hessians: Float64Array, visitLeaf?: LeafVisitor): RegressionTree {
    const nodes = new RegressionTreeNodes();
    const stats = sumStats(rows, gradients, hessians);
    const root: PendingNode = { id: nodes.add(), start: 0, end: rows.length, depth: 0, slot: this.canSplit(0, stats) ? 0 : -1, stats };
    if (root.slot === 0) this.histograms.build(this.slots[0], rows, 0, rows.length, gradients, hessians);
    const stack = [root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      const split = node.slot < 0 ? undefined : findBestSplit(this.slots[node.slot], this.layout, node.stats, this.options);
      if (split === undefined) {
        const value = nodes.setLeaf(node.id, this.leafValue(node.stats));
        visitLeaf?.(node.start, node.end, value);
        continue;
      }
      const middle = this.partition(rows, node.start, node.end, split);
      const left = nodes.add();
      const right = nodes.add();
      nodes.setSplit(node.id, { feature: split.feature, bin: split.bin, threshold: this.binning.threshold(split.feature, split.bin), missingLeft: split.missingLeft, left, right });
      const [leftSlot, rightSlot] = this.childHistograms(node, split, rows, middle, gradients, hessians);
      // Right first on the stack so the left subtree grows first (depth-first, as the slot reuse requires).
      stack.push({ id: right, start: middle, end: node.end, depth: node.depth + 1, slot: rightSlot, stats: split.right });
      stack.push({ id: left, start: node.start, end: middle, depth: node.depth + 1, slot: leftSlot, stats: split.left });
    }
    return nodes.build();
  }

  private canSplit(depth: number, stats: NodeStats): boolean {
    return depth < this.options.maxDepth && stats.count >= 2 * this.options.minSamplesLeaf;
  }

  private leafValue(stats: NodeStats): number {
    return (-stats.gradient / (stats.hessian + this.options.l2)) * this.options.learningRate;
  }

  /** Builds the children's histograms (when either will be split) and returns their slots (-1: not split). */
  private childHistograms(node: PendingNode, split: Split, rows: Uint32Array, middle: number, gradients: Float64Array, hessians: Float64Array): [number, number] {
    const depth = node.depth + 1;
    const leftSplits = this.canSplit(depth, split.left);
    const rightSplits = this.canSplit(depth, split.right);
    if (!leftSplits && !rightSplits) return [-1, -1];
    const childSlot = depth;
    const parent = this.slots[node.slot];
    const smallerIsLeft = split.left.count <= split.right.count;
    const [start, end] = smallerIsLeft ? [node.start, middle] : [middle, node.end];
    this.histograms.build(this.slots[childSlot], rows, start, end, gradients, hessians);
    subtractHistogram(parent, this.slots[childSlot]);
    const [leftSlot, rightSlot] = smallerIsLeft ? [childSlot, node.slot] : [node.slot, childSlot];
    return [leftSplits ? leftSlot : -1, rightSplits ? rightSlot : -1];
  }

  /** Stable in-place partition of `rows[start..end)`: left rows first (keeping row order, for cache-friendly passes). Returns the first right index. */
  private partition(rows: Uint32Array, start: number, end: number, split: Split): number {
    const { bins, rows: totalRows } = this.binned;
    const column = split.feature * totalRows;
    const missingBin = this.missingBins[split.feature];
    const scratch = this.scratch;
    let leftEnd = start;
    let rightCount = 0;
    for (let i = start; i < end; i += 1) {
      const row = rows[i];
      const bin = bins[column + row];
      const goLeft = bin === missingBin ? split.missingLeft : bin <= split.bin;
      if (goLeft) rows[leftEnd++] = row;
      else scratch[rightCount++] = row;
    }
    rows.set(scratch.subarray(0, rightCount), leftEnd);
    return leftEnd;
  }
}

function sumStats(rows: Uint32Array, gradients: Float64Array, hessians: Float64Array): NodeStats {
  let gradient = 0;
  let hessian = 0;
  for (let i = 0; i < rows.length; i += 1) {
    gradient += gradients[rows[i]];
    hessian += hessians[rows[i]];
  }
  return { gradient, hessian, count: rows.length };
}

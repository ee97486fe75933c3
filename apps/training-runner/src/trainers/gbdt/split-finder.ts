import { HISTOGRAM_STRIDE, type HistogramLayout } from './histogram';

/** Gradient and hessian sums and the row count of a set of rows. */
export interface NodeStats {
  readonly gradient: number;
  readonly hessian: number;
  readonly count: number;
}

/** The best way found to split a node: value bins `<= bin` go left; NaN goes left when `missingLeft`. */
export interface Split {
  readonly feature: number;
  readonly bin: number;
  readonly missingLeft: boolean;
  readonly gain: number;
  readonly left: NodeStats;
  readonly right: NodeStats;
}

/** What makes a split acceptable. */
export interface SplitRules {
  readonly l2: number;
  readonly minSamplesLeaf: number;
  /** Minimum hessian sum of each side (keeps leaf values finite for near-pure logloss nodes). */
  readonly minHessian: number;
}

// A gain this small relative to the node's score is rounding noise, not signal.
const RELATIVE_MIN_GAIN = 1e-12;

/**
 * Scans every feature's histogram for the split with the largest loss reduction
 * (XGBoost's gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)). For each cut it tries NaN rows on
 * both sides and keeps the better one; a node without NaN rows sends NaN to the larger side.
 * The cut after the last value bin separates NaN from everything else.
 */
export function findBestSplit(histogram: Float64Array, layout: HistogramLayout, node: NodeStats, rules: SplitRules): Split | undefined {
  const { l2, minSamplesLeaf, minHessian } = rules;
  const parentScore = (node.gradient * node.gradient) / (node.hessian + l2);
  let bestGain = RELATIVE_MIN_GAIN * Math.max(1, parentScore);
  let best: Split | undefined;

  const consider = (feature: number, bin: number, missingLeft: boolean, gradient: number, hessian: number, count: number): void => {
    const rightCount = node.count - count;
    const rightHessian = node.hessian - hessian;
    if (count < minSamplesLeaf || rightCount < minSamplesLeaf || hessian < minHessian || rightHessian < minHessian) return;
    const rightGradient = node.gradient - gradient;
    const gain = (gradient * gradient) / (hessian + l2) + (rightGradient * rightGradient) / (rightHessian + l2) - parentScore;
    if (gain > bestGain) {
      bestGain = gain;
      best = {
        feature,
        bin,
        missingLeft,
        gain,
        left: { gradient, hessian, count },
        right: { gradient: rightGradient, hessian: rightHessian, count: rightCount },
      };
    }
  };

  for (let feature = 0; feature < layout.offsets.length; feature += 1) {
    const base = layout.offsets[feature] * HISTOGRAM_STRIDE;
    const valueBins = layout.binCounts[feature] - 1;
    const missingSlot = base + valueBins * HISTOGRAM_STRIDE;
    const missingGradient = histogram[missingSlot];
    const missingHessian = histogram[missingSlot + 1];
    const missingCount = histogram[missingSlot + 2];
    let gradient = 0;
    let hessian = 0;
    let count = 0;
    for (let bin = 0; bin < valueBins; bin += 1) {
      const slot = base + bin * HISTOGRAM_STRIDE;
      gradient += histogram[slot];
      hessian += histogram[slot + 1];
      count += histogram[slot + 2];
      if (missingCount > 0) {
        consider(feature, bin, false, gradient, hessian, count);
        consider(feature, bin, true, gradient + missingGradient, hessian + missingHessian, count + missingCount);
      } else {
        consider(feature, bin, count >= node.count - count, gradient, hessian, count);
      }
    }
  }
  return best;
}

import { InvalidParamsError } from '../shared/trainer';

/** Hyper-parameters of the gradient-boosted trees (training.proto `GbdtParams`, camelCase). */
export interface GbdtParams {
  /** Boosting rounds (trees). Default 100. */
  readonly numTrees: number;
  /** Maximum depth of a tree, 1..16. Default 6. */
  readonly maxDepth: number;
  /** Shrinkage applied to every leaf value, > 0. Default 0.1. */
  readonly learningRate: number;
  /** Minimum training rows in a leaf, >= 1. Default 20. */
  readonly minSamplesLeaf: number;
  /** Fraction of the training rows each tree sees, in (0, 1]. Default 1. */
  readonly subsample: number;
  /** L2 regularization of the leaf values, > 0. Default 1 (zero, like an unset proto3 field, means the default). */
  readonly l2: number;
  /** Histogram bins per feature (besides the missing-value bin), 2..255. Default 255. */
  readonly maxBins: number;
  /** Stop after this many rounds without a better validation loss; 0 = never. Default 0. */
  readonly earlyStoppingRounds: number;
}

/** The documented defaults of training.proto `GbdtParams`. */
export const GBDT_DEFAULTS: GbdtParams = {
  numTrees: 100,
  maxDepth: 6,
  learningRate: 0.1,
  minSamplesLeaf: 20,
  subsample: 1,
  l2: 1,
  maxBins: 255,
  earlyStoppingRounds: 0,
};

const MAX_TREES = 100_000;
const MAX_DEPTH = 16;
const MAX_BINS = 255;

/**
 * Fills defaults (absent or zero means the documented default: proto3 cannot tell an unset field
 * from zero) and validates every field.
 * @throws InvalidParamsError naming the first bad field in snake_case.
 */
export function resolveGbdtParams(raw: Partial<GbdtParams>): GbdtParams {
  const params: GbdtParams = {
    numTrees: orDefault(raw.numTrees, GBDT_DEFAULTS.numTrees),
    maxDepth: orDefault(raw.maxDepth, GBDT_DEFAULTS.maxDepth),
    learningRate: orDefault(raw.learningRate, GBDT_DEFAULTS.learningRate),
    minSamplesLeaf: orDefault(raw.minSamplesLeaf, GBDT_DEFAULTS.minSamplesLeaf),
    subsample: orDefault(raw.subsample, GBDT_DEFAULTS.subsample),
    l2: orDefault(raw.l2, GBDT_DEFAULTS.l2),
    maxBins: orDefault(raw.maxBins, GBDT_DEFAULTS.maxBins),
    earlyStoppingRounds: raw.earlyStoppingRounds ?? GBDT_DEFAULTS.earlyStoppingRounds,
  };
  requireInteger('num_trees', params.numTrees, 1, MAX_TREES);
  requireInteger('max_depth', params.maxDepth, 1, MAX_DEPTH);
  requireFinite('learning_rate', params.learningRate, (value) => value > 0, 'must be > 0');
  requireInteger('min_samples_leaf', params.minSamplesLeaf, 1, Number.MAX_SAFE_INTEGER);
  requireFinite('subsample', params.subsample, (value) => value > 0 && value <= 1, 'must be in (0, 1]');
  requireFinite('l2', params.l2, (value) => value > 0, 'must be > 0');
  requireInteger('max_bins', params.maxBins, 2, MAX_BINS);
  requireInteger('early_stopping_rounds', params.earlyStoppingRounds, 0, MAX_TREES);
  return params;
}

/** The effective params under their proto (snake_case) names. */
export function describeGbdtParams(params: GbdtParams): Record<string, string> {
  return {
    num_trees: String(params.numTrees),
    max_depth: String(params.maxDepth),
    learning_rate: String(params.learningRate),
    min_samples_leaf: String(params.minSamplesLeaf),
    subsample: String(params.subsample),
    l2: String(params.l2),
    max_bins: String(params.maxBins),
    early_stopping_rounds: String(params.earlyStoppingRounds),
  };
}

function orDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value;
}

function requireInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidParamsError(field, `must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function requireFinite(field: string, value: number, valid: (value: number) => boolean, rule: string): void {
  if (!Number.isFinite(value) || !valid(value)) throw new InvalidParamsError(field, `${rule}, got ${value}`);
}

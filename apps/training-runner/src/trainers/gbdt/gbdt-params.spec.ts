import { InvalidParamsError } from '../shared/trainer';
import { describeGbdtParams, GBDT_DEFAULTS, type GbdtParams, resolveGbdtParams } from './gbdt-params';

describe(resolveGbdtParams.name, () => {
  it('fills the training.proto defaults when fields are absent', () => {
    expect(resolveGbdtParams({})).toEqual({
      numTrees: 100,
      maxDepth: 6,
      learningRate: 0.1,
      minSamplesLeaf: 20,
      subsample: 1,
      l2: 1,
      maxBins: 255,
      earlyStoppingRounds: 0,
    });
  });

  it('treats zero as the default when a field is zero, as proto3 cannot tell unset from zero', () => {
    const zeros: GbdtParams = { numTrees: 0, maxDepth: 0, learningRate: 0, minSamplesLeaf: 0, subsample: 0, l2: 0, maxBins: 0, earlyStoppingRounds: 0 };

    expect(resolveGbdtParams(zeros)).toEqual(GBDT_DEFAULTS);
  });

  it('keeps valid values when they are given', () => {
    const params: GbdtParams = { numTrees: 5, maxDepth: 16, learningRate: 0.5, minSamplesLeaf: 1, subsample: 0.25, l2: 0.001, maxBins: 2, earlyStoppingRounds: 3 };

    expect(resolveGbdtParams(params)).toEqual(params);
  });

  it.each<[string, Partial<GbdtParams>]>([
    ['num_trees', { numTrees: -1 }],
    ['num_trees', { numTrees: 2.5 }],
    ['max_depth', { maxDepth: 17 }],
    ['max_depth', { maxDepth: -2 }],
    ['learning_rate', { learningRate: -0.1 }],
    ['learning_rate', { learningRate: Number.NaN }],
    ['min_samples_leaf', { minSamplesLeaf: -5 }],
    ['subsample', { subsample: 1.5 }],
    ['subsample', { subsample: -0.5 }],
    ['l2', { l2: -1 }],
    ['l2', { l2: Number.POSITIVE_INFINITY }],
    ['max_bins', { maxBins: 1 }],
    ['max_bins', { maxBins: 256 }],
    ['early_stopping_rounds', { earlyStoppingRounds: -1 }],
  ])('throws InvalidParamsError naming %s when it is out of range (%j)', (field, raw) => {
    const attempt = (): GbdtParams => resolveGbdtParams(raw);

    expect(attempt).toThrow(InvalidParamsError);
    expect(attempt).toThrow(expect.objectContaining({ field }));
  });
});

describe(describeGbdtParams.name, () => {
  it('names every param in snake_case when describing the defaults', () => {
    expect(describeGbdtParams(GBDT_DEFAULTS)).toEqual({
      num_trees: '100',
      max_depth: '6',
      learning_rate: '0.1',
      min_samples_leaf: '20',
      subsample: '1',
      l2: '1',
      max_bins: '255',
      early_stopping_rounds: '0',
    });
  });
});

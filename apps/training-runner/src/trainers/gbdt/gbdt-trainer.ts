import { checkTrainingInput } from '../preprocessing/training-labels';
import { seededRandom } from '../shared/random';
import { type Trainer, type TrainingHooks, type TrainingInput, type TrainingTask } from '../shared/trainer';
import { type BinnedMatrix, FeatureBinning } from './binning';
import { GbdtModel, type GbdtTask } from './gbdt-model';
import { describeGbdtParams, type GbdtParams, resolveGbdtParams } from './gbdt-params';
import { BINARY_LOGLOSS, type GbdtObjective, SQUARED_ERROR } from './objective';
import { type RegressionTree } from './regression-tree';
import { TreeBuilder } from './tree-builder';

// LightGBM's min_sum_hessian_in_leaf: a leaf needs some curvature for −G/(H + l2) to mean anything.
const MIN_HESSIAN = 1e-3;

/** The rows and running raw scores of one split, binned with the training split's edges. */
interface ScoredSplit {
  readonly binned: BinnedMatrix;
  readonly y: Float64Array;
  readonly scores: Float64Array;
}

/**
 * Histogram-based gradient-boosted decision trees for binary logloss and squared error. Features
 * are binned once (train-split quantiles, NaN in its own bin); each round fits one depth-limited
 * tree to the gradients of a seeded row subsample, and the validation loss (when there is a
 * validation split and `earlyStoppingRounds` > 0) decides when to stop and which round's trees to
 * keep. Exported with the ai.onnx.ml TreeEnsembleRegressor operator ({@link GbdtModel}).
 */
export class GbdtTrainer implements Trainer<GbdtParams> {
  readonly name = 'gbdt';
  readonly tasks: readonly TrainingTask[] = ['binary', 'regression'];

  resolveParams(raw: Partial<GbdtParams>): GbdtParams {
    return resolveGbdtParams(raw);
  }

  describeParams(params: GbdtParams): Record<string, string> {
    return describeGbdtParams(params);
  }

  train(input: TrainingInput, params: GbdtParams, hooks: TrainingHooks): GbdtModel {
    const task = supportedTask(input.task);
    checkTrainingInput(input);
    const objective: GbdtObjective = task === 'binary' ? BINARY_LOGLOSS : SQUARED_ERROR;
    const binning = FeatureBinning.fitOn(input.train.x, params.maxBins);
    const baseScore = Math.fround(objective.baseScore(input.train.y));
    const train = scoredSplit(binning.transform(input.train.x), input.train.y, baseScore);
    // An empty validation split has no loss to stop on; it counts as none.
    const validation = input.validation?.x.rows ? scoredSplit(binning.transform(input.validation.x), input.validation.y, baseScore) : undefined;
    const earlyStopping = validation !== undefined && params.earlyStoppingRounds > 0;
    const builder = new TreeBuilder(train.binned, binning, { ...params, minHessian: MIN_HESSIAN });
    const sampler = new RowSampler(train.binned.rows, params.subsample, input.seed);
    const gradients = new Float64Array(train.binned.rows);
    const hessians = new Float64Array(train.binned.rows);

    // The gradients for round r are computed with the loss after round r − 1 (one pass for both).
    objective.gradients(train.y, train.scores, gradients, hessians);
    const trees: RegressionTree[] = [];
    let best = { round: 0, loss: Number.POSITIVE_INFINITY };
    for (let round = 1; round <= params.numTrees; round += 1) {
      hooks.checkpoint();
      const rows = sampler.next();
      const addLeaf = (start: number, end: number, value: number): void => {
        for (let i = start; i < end; i += 1) train.scores[rows[i]] += value;
      };
      // With every row in the tree, each row's leaf is known from the partition; otherwise walk the tree.
      const tree = builder.build(rows, gradients, hessians, sampler.takesAll ? addLeaf : undefined);
      if (!sampler.takesAll) tree.addValues(train.binned, builder.missingBins, train.scores);
      trees.push(tree);
      const loss = objective.gradients(train.y, train.scores, gradients, hessians);
      let validationLoss: number | undefined;
      if (validation !== undefined) {
        tree.addValues(validation.binned, builder.missingBins, validation.scores);
        validationLoss = objective.loss(validation.y, validation.scores);
      }
      hooks.onIteration({ iteration: round, totalIterations: params.numTrees, loss, validationLoss });
      if (!earlyStopping || validationLoss === undefined) continue;
      if (validationLoss < best.loss) best = { round, loss: validationLoss };
      else if (round - best.round >= params.earlyStoppingRounds) break;
    }

    const rounds = trees.length;
    const kept = earlyStopping ? trees.slice(0, best.round) : trees;
    if (earlyStopping) hooks.log(`gbdt ran ${rounds} of ${params.numTrees} rounds; kept the best ${kept.length} trees (validation loss ${best.loss.toPrecision(6)})`);
    else hooks.log(`gbdt ran ${rounds} rounds`);
    return new GbdtModel(task, input.train.x.cols, baseScore, kept, rounds);
  }
}

function supportedTask(task: TrainingTask): GbdtTask {
  if (task === 'multiclass') throw new RangeError(`gbdt does not support the ${task} task`);
  return task;
}

function scoredSplit(binned: BinnedMatrix, y: Float64Array, baseScore: number): ScoredSplit {
  return { binned, y, scores: new Float64Array(binned.rows).fill(baseScore) };
}

/**
 * The training rows of each tree: all of them, or each row independently with probability
 * `subsample`, drawn from a PRNG seeded by the input seed (no draws at all when subsample is 1,
 * so the seed then does not change the model). Rows stay in ascending order.
 */
class RowSampler {
  private readonly buffer: Uint32Array;
  private readonly random: () => number;

  constructor(
    private readonly rows: number,
    private readonly fraction: number,
    seed: number,
  ) {
    this.buffer = new Uint32Array(rows);
    this.random = seededRandom(seed);
  }

  /** Whether every tree sees every row. */
  get takesAll(): boolean {
    return this.fraction >= 1;
  }

  /** The next tree's rows (a view the tree builder may reorder). */
  next(): Uint32Array {
    let count = 0;
    for (let row = 0; row < this.rows; row += 1) {
      if (this.takesAll || this.random() < this.fraction) this.buffer[count++] = row;
    }
    return this.buffer.subarray(0, count);
  }
}

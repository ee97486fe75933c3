import { type OnnxAttribute, OnnxGraphBuilder } from '@strata/onnx';

import { onnxModelOptions } from '../preprocessing/onnx-model-options';
import { type Matrix, toFloat32 } from '../shared/matrix';
import { MODEL_INPUT, MODEL_OUTPUT, type OnnxExportOptions, type TrainedModel } from '../shared/trainer';
import { sigmoid } from './objective';
import { type RegressionTree } from './regression-tree';

/** The tasks a GBDT model predicts. */
export type GbdtTask = 'binary' | 'regression';

const ML_DOMAIN = 'ai.onnx.ml';
const FEATURES_F64 = 'gbdt.features_f64';
const RAW_SCORE = 'gbdt.raw_score';
const ONNX_DOUBLE = 11;

/**
 * A trained tree ensemble: raw score = base score + Σ tree leaf values; binary → σ(raw score)
 * = P(y = 1), regression → the raw score.
 *
 * The exported graph is Cast(float → double) → ai.onnx.ml TreeEnsembleRegressor (→ Sigmoid for
 * binary). The cast is for reproducibility: on float input onnxruntime sums the trees in float32
 * and, for batches over 50 rows on several threads, in per-thread groups whose order depends on
 * the thread count; on double input it sums in double and rounds the total to float32 once.
 * Thresholds and leaf values are float32 either way, and a float32 feature compares with a
 * float32 threshold identically in both precisions. `predict` computes exactly that: float32
 * features, float32 parameters, a double sum, one float32 rounding.
 */
export class GbdtModel implements TrainedModel {
  constructor(
    readonly task: GbdtTask,
    readonly featureCount: number,
    /** Float32 base score (log-odds of the train mean for binary, the mean for regression). */
    readonly baseScore: number,
    /** The kept trees (the best iteration's when early stopping ended the training). */
    readonly trees: readonly RegressionTree[],
    /** Rounds actually run (more than `trees.length` when early stopping dropped the last rounds). */
    readonly iterations: number,
  ) {}

  predict(x: Matrix): Float64Array {
    if (x.cols !== this.featureCount) throw new RangeError(`expected ${this.featureCount} features, got ${x.cols}`);
    const values = toFloat32(x);
    const out = new Float64Array(x.rows);
    for (let row = 0; row < x.rows; row += 1) {
      let score = 0;
      for (const tree of this.trees) score += tree.valueOfRow(values, row * x.cols);
      const raw = Math.fround(score + this.baseScore);
      out[row] = this.task === 'binary' ? sigmoid(raw) : raw;
    }
    return out;
  }

  toOnnx(options: OnnxExportOptions): Uint8Array {
    const output = MODEL_OUTPUT[this.task];
    const builder = new OnnxGraphBuilder('gbdt')
      .addOpset('', 17)
      .addOpset(ML_DOMAIN, 3)
      .addInput({ name: MODEL_INPUT, datatype: 'FP32', shape: ['batch', this.featureCount] })
      .addNode({ opType: 'Cast', name: 'gbdt.cast', inputs: [MODEL_INPUT], outputs: [FEATURES_F64], attributes: { to: { type: 'int', value: ONNX_DOUBLE } } })
      .addNode({
        opType: 'TreeEnsembleRegressor',
        domain: ML_DOMAIN,
        name: 'gbdt.trees',
        inputs: [FEATURES_F64],
        outputs: [this.task === 'binary' ? RAW_SCORE : output],
        attributes: this.ensembleAttributes(),
      });
    if (this.task === 'binary') builder.addNode({ opType: 'Sigmoid', name: 'gbdt.sigmoid', inputs: [RAW_SCORE], outputs: [output] });
    return builder.addOutput({ name: output, datatype: 'FP32', shape: ['batch', 1] }).build(onnxModelOptions(options));
  }

  /** The trees as TreeEnsembleRegressor attributes: one entry per node, tree by tree, root first. */
  private ensembleAttributes(): Record<string, OnnxAttribute> {
    const nodes = { treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], modes: [] as string[], values: [] as number[] };
    const branches = { trueIds: [] as number[], falseIds: [] as number[], missingTrue: [] as number[] };
    const targets = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
    this.trees.forEach((tree, treeId) => {
      for (let node = 0; node < tree.nodeCount; node += 1) {
        const leaf = tree.isLeaf(node);
        nodes.treeIds.push(treeId);
        nodes.nodeIds.push(node);
        nodes.featureIds.push(leaf ? 0 : tree.feature[node]);
        nodes.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
        nodes.values.push(leaf ? 0 : tree.threshold[node]);
        // BRANCH_LEQ: "true" (x <= threshold) is the left child.
        branches.trueIds.push(leaf ? 0 : tree.left[node]);
        branches.falseIds.push(leaf ? 0 : tree.right[node]);
        branches.missingTrue.push(leaf ? 0 : tree.missingLeft[node]);
        if (leaf) {
          targets.treeIds.push(treeId);
          targets.nodeIds.push(node);
          targets.weights.push(tree.value[node]);
        }
      }
    });
    return {
      aggregate_function: { type: 'string', value: 'SUM' },
      base_values: { type: 'floats', value: [this.baseScore] },
      n_targets: { type: 'int', value: 1 },
      nodes_falsenodeids: { type: 'ints', value: branches.falseIds },
      nodes_featureids: { type: 'ints', value: nodes.featureIds },
      nodes_missing_value_tracks_true: { type: 'ints', value: branches.missingTrue },
      nodes_modes: { type: 'strings', value: nodes.modes },
      nodes_nodeids: { type: 'ints', value: nodes.nodeIds },
      nodes_treeids: { type: 'ints', value: nodes.treeIds },
      nodes_truenodeids: { type: 'ints', value: branches.trueIds },
      nodes_values: { type: 'floats', value: nodes.values },
      post_transform: { type: 'string', value: 'NONE' },
      target_ids: { type: 'ints', value: targets.nodeIds.map(() => 0) },
      target_nodeids: { type: 'ints', value: targets.nodeIds },
      target_treeids: { type: 'ints', value: targets.treeIds },
      target_weights: { type: 'floats', value: targets.weights },
    };
  }
}

import { type OnnxAttribute, OnnxGraphBuilder } from '@strata/onnx';
import { seededRandom } from './seeded-random';

/** The shape of a synthetic gradient-boosted tree ensemble. */
export interface TreeEnsembleSpec {
  trees: number;
  /** Every tree is complete: 2^depth leaves. */
  depth: number;
  featureCount: number;
  /** Seeds thresholds, features and leaf values, so every run builds the same bytes. */
  seed?: number;
}

/** The model's input name (FP32 [batch, featureCount]) and output name (FP32 [batch, 1]). */
export const TREE_MODEL_INPUT = 'features';
export const TREE_MODEL_OUTPUT = 'probability';

/**
 * A binary-classification tree ensemble shaped like the flights GBDT the training-runner
 * exports: `features` → Cast(double) → ai.onnx.ml TreeEnsembleRegressor (SUM) → Sigmoid →
 * `probability`. Thresholds, split features and leaf values are seeded random numbers, so the
 * cost per row is the real one (every row walks `depth` branches in each of `trees` trees).
 */
export function buildTreeEnsembleModel(spec: TreeEnsembleSpec): Uint8Array {
  const random = seededRandom(spec.seed ?? 7);
  const nodes = { treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], modes: [] as string[], values: [] as number[], trueIds: [] as number[], falseIds: [] as number[] };
  const targets = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  const branchCount = 2 ** spec.depth - 1;
  const nodeCount = 2 ** (spec.depth + 1) - 1;
  for (let tree = 0; tree < spec.trees; tree += 1) {
    for (let node = 0; node < nodeCount; node += 1) {
      const leaf = node >= branchCount;
      nodes.treeIds.push(tree);
      nodes.nodeIds.push(node);
      nodes.featureIds.push(leaf ? 0 : Math.floor(random() * spec.featureCount));
      nodes.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      nodes.values.push(leaf ? 0 : random() * 2 - 1);
      nodes.trueIds.push(leaf ? 0 : 2 * node + 1);
      nodes.falseIds.push(leaf ? 0 : 2 * node + 2);
      if (leaf) {
        targets.treeIds.push(tree);
        targets.nodeIds.push(node);
        targets.weights.push((random() - 0.5) * 0.2);
      }
    }
  }
  const attributes: Record<string, OnnxAttribute> = {
    aggregate_function: { type: 'string', value: 'SUM' },
    base_values: { type: 'floats', value: [0] },
    n_targets: { type: 'int', value: 1 },
    nodes_falsenodeids: { type: 'ints', value: nodes.falseIds },
    nodes_featureids: { type: 'ints', value: nodes.featureIds },
    nodes_missing_value_tracks_true: { type: 'ints', value: nodes.nodeIds.map(() => 0) },
    nodes_modes: { type: 'strings', value: nodes.modes },
    nodes_nodeids: { type: 'ints', value: nodes.nodeIds },
    nodes_treeids: { type: 'ints', value: nodes.treeIds },
    nodes_truenodeids: { type: 'ints', value: nodes.trueIds },
    nodes_values: { type: 'floats', value: nodes.values },
    post_transform: { type: 'string', value: 'NONE' },
    target_ids: { type: 'ints', value: targets.nodeIds.map(() => 0) },
    target_nodeids: { type: 'ints', value: targets.nodeIds },
    target_treeids: { type: 'ints', value: targets.treeIds },
    target_weights: { type: 'floats', value: targets.weights },
  };
  return new OnnxGraphBuilder('tree-ensemble')
    .addOpset('', 17)
    .addOpset('ai.onnx.ml', 3)
    .addInput({ name: TREE_MODEL_INPUT, datatype: 'FP32', shape: ['batch', spec.featureCount] })
    .addNode({ opType: 'Cast', inputs: [TREE_MODEL_INPUT], outputs: ['features_f64'], attributes: { to: { type: 'int', value: 11 } } })
    .addNode({ opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', inputs: ['features_f64'], outputs: ['raw_score'], attributes })
    .addNode({ opType: 'Sigmoid', inputs: ['raw_score'], outputs: [TREE_MODEL_OUTPUT] })
    .addOutput({ name: TREE_MODEL_OUTPUT, datatype: 'FP32', shape: ['batch', 1] })
    .build({ producerName: 'strata-bench' });
}

/** `rows` × `featureCount` seeded uniform features in [-1, 1), row-major. */
export function randomFeatureRows(rows: number, featureCount: number, seed = 11): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(rows * featureCount);
  for (let index = 0; index < out.length; index += 1) out[index] = random() * 2 - 1;
  return out;
}

import { inspectOnnxModel } from '@strata/onnx';
import { InferenceSession, Tensor } from 'onnxruntime-node';

import { maxAbsoluteDifference, runOnnxModel } from '../preprocessing/onnx-session.fixtures';
import { type Matrix, matrixOf, toFloat32 } from '../shared/matrix';
import { MODEL_INPUT, MODEL_OUTPUT, SILENT_HOOKS } from '../shared/trainer';
import { aTrainingInput, STEP, syntheticData, XOR_STEP } from './gbdt-data.fixtures';
import { GbdtModel } from './gbdt-model';
import { GbdtTrainer } from './gbdt-trainer';

const trainer = new GbdtTrainer();
const TOLERANCE = 1e-5;

/** Held-out rows with NaNs, plus edge cases: all missing, infinities, values beyond the training range. */
function heldOut(rule: typeof STEP, seed: number): Matrix {
  const { x } = syntheticData(rule, { rows: 500, seed, missingRate: 0.15 });
  const edges = matrixOf([
    [Number.NaN, Number.NaN, Number.NaN],
    [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5],
    [-3, 7, 1e30],
    [0.2, 0.7, 0.5],
  ]);
  return { rows: x.rows + edges.rows, cols: x.cols, values: Float64Array.from([...x.values, ...edges.values]) };
}

function trainedModel(task: 'binary' | 'regression'): GbdtModel {
  const train = syntheticData(task === 'binary' ? XOR_STEP : STEP, { rows: 3000, seed: 21, missingRate: 0.1 });
  return trainer.train(aTrainingInput(task, train), trainer.resolveParams({ numTrees: 120, learningRate: 0.2, minSamplesLeaf: 5 }), SILENT_HOOKS);
}

/** Runs the model with onnxruntime's default threading (several intra-op threads on a multi-core machine). */
async function runWithDefaultThreads(bytes: Uint8Array, x: Matrix, output: string): Promise<Float64Array> {
  const session = await InferenceSession.create(Buffer.from(bytes));
  try {
    const results = await session.run({ [MODEL_INPUT]: new Tensor('float32', toFloat32(x), [x.rows, x.cols]) });
    return Float64Array.from(results[output]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

describe(GbdtModel.name, () => {
  it.each(['binary', 'regression'] as const)('matches onnxruntime within 1e-5 on held-out rows with NaNs when the task is %s', async (task) => {
    const model = trainedModel(task);
    const x = heldOut(task === 'binary' ? XOR_STEP : STEP, 22);

    const onnx = await runOnnxModel(model.toOnnx({ metadata: {} }), x, MODEL_OUTPUT[task]);

    expect(maxAbsoluteDifference(model.predict(x), onnx)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('matches onnxruntime exactly in float32 when onnxruntime splits the trees over threads', async () => {
    // Over 50 rows and 80 trees onnxruntime sums per-thread groups of trees; the cast to double makes the order irrelevant.
    const model = trainedModel('regression');
    const x = heldOut(STEP, 23);

    const onnx = await runWithDefaultThreads(model.toOnnx({ metadata: {} }), x, MODEL_OUTPUT.regression);

    expect(maxAbsoluteDifference(model.predict(x).map(Math.fround), onnx)).toBe(0);
  });

  it('declares the features input, the task output and the operator sets when exported', () => {
    const model = trainedModel('binary');

    const info = inspectOnnxModel(model.toOnnx({ metadata: { trainer: 'gbdt', dataset_digest: 'abc' }, producerVersion: '1.2.3' }));

    expect(info.inputs).toEqual([{ name: MODEL_INPUT, datatype: 'FP32', shape: [-1, 3], unknownRank: false }]);
    expect(info.outputs).toEqual([{ name: MODEL_OUTPUT.binary, datatype: 'FP32', shape: [-1, 1], unknownRank: false }]);
    expect(info.opsets).toEqual(expect.arrayContaining([{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }]));
    expect([info.producerName, info.producerVersion]).toEqual(['strata-training-runner', '1.2.3']);
  });

  it('writes the metadata sorted by key when exported', () => {
    const model = trainedModel('regression');

    const text = Buffer.from(model.toOnnx({ metadata: { trainer: 'gbdt', dataset_digest: 'sha256:abc' } })).toString('latin1');

    expect(text.indexOf('sha256:abc')).toBeGreaterThan(text.indexOf('dataset_digest'));
    expect(text.indexOf('trainer')).toBeGreaterThan(text.indexOf('sha256:abc'));
  });

  it('predicts the sigmoid of the base score plus the leaf values when the task is binary', () => {
    const model = trainedModel('binary');
    const x = matrixOf([[0.1, 0.9, 0.5]]);

    const raw = model.trees.reduce((total, tree) => total + tree.valueOfRow(toFloat32(x), 0), 0) + model.baseScore;

    expect(model.predict(x)[0]).toBeCloseTo(1 / (1 + Math.exp(-Math.fround(raw))), 12);
  });
});

import { inspectOnnxModel } from '@strata/onnx';

import { maxAbsoluteDifference, runOnnxModel } from '../preprocessing/onnx-session.fixtures';
import { InvalidParamsError, type LabeledData, MODEL_OUTPUT, SILENT_HOOKS } from '../shared/trainer';
import { aBinaryInput, type LogisticDataSpec, logisticData, meanLogLoss, recordingHooks } from './logistic-data.fixtures';
import { LogisticRegressionTrainer } from './logistic-regression.trainer';

const trainer = new LogisticRegressionTrainer();
const defaults = trainer.resolveParams({});

// Raw-scale features with different means and spreads, so recovering the weights proves the un-standardizing.
const known: LogisticDataSpec = {
  rows: 20_000,
  features: [
    { mean: 0, scale: 1 },
    { mean: 3, scale: 2 },
    { mean: -1, scale: 0.5 },
  ],
  weights: [2, -1, 0.5],
  bias: -0.3,
  seed: 1,
};

function constantBaselineLogLoss(train: LabeledData, test: LabeledData): number {
  const rate = train.y.reduce((sum, label) => sum + label, 0) / train.y.length;
  return meanLogLoss(new Float64Array(test.y.length).fill(rate), test.y);
}

function trueModelLogLoss(test: LabeledData): number {
  const probabilities = new Float64Array(test.x.rows).map((_, row) => {
    const z = known.weights.reduce((sum, weight, col) => sum + weight * (test.x.values[row * test.x.cols + col] as number), known.bias);
    return 1 / (1 + Math.exp(-z));
  });
  return meanLogLoss(probabilities, test.y);
}

describe(LogisticRegressionTrainer.name, () => {
  const train = logisticData(known);
  const test = logisticData({ ...known, rows: 5_000, seed: 12 });
  const model = trainer.train(aBinaryInput(train), defaults, SILENT_HOOKS);

  it('recovers the raw-feature weights and bias of logistic data when trained with defaults', () => {
    Array.from(model.coefficients).forEach((weight, col) => expect(Math.abs(weight - (known.weights[col] as number))).toBeLessThan(0.1));
    expect(Math.abs(model.intercept - known.bias)).toBeLessThan(0.1);
  });

  it('beats the constant baseline log loss on a test split and nearly matches the true model', () => {
    const loss = meanLogLoss(model.predict(test.x), test.y);

    expect(loss).toBeLessThan(constantBaselineLogLoss(train, test) - 0.1);
    expect(loss).toBeLessThan(trueModelLogLoss(test) + 0.005);
  });

  it('learns the weights with seeded shuffled mini-batches too', () => {
    const miniBatch = trainer.train(aBinaryInput(train), trainer.resolveParams({ batchSize: 256, maxIterations: 30 }), SILENT_HOOKS);

    Array.from(miniBatch.coefficients).forEach((weight, col) => expect(Math.abs(weight - (known.weights[col] as number))).toBeLessThan(0.15));
  });

  it('shrinks the weights when l2 is set', () => {
    const regularized = trainer.train(aBinaryInput(train), trainer.resolveParams({ l2: 1 }), SILENT_HOOKS);
    const norm = (weights: Float64Array): number => Math.hypot(...weights);

    expect(norm(regularized.coefficients)).toBeLessThan(0.7 * norm(model.coefficients));
  });

  it('stops before max_iterations when the improvement falls under the tolerance', () => {
    const loose = trainer.train(aBinaryInput(train), trainer.resolveParams({ tolerance: 1e-3 }), SILENT_HOOKS);
    const strict = trainer.train(aBinaryInput(train), trainer.resolveParams({ tolerance: 1e-15, maxIterations: 40 }), SILENT_HOOKS);

    expect(loose.iterations).toBeGreaterThan(1);
    expect(loose.iterations).toBeLessThan(model.iterations);
    expect(model.iterations).toBeLessThan(defaults.maxIterations);
    expect(strict.iterations).toBe(40);
  });

  it('reports train and validation log loss once per iteration', () => {
    const hooks = recordingHooks();

    const trained = trainer.train(aBinaryInput(train, { validation: test }), trainer.resolveParams({ maxIterations: 25, tolerance: 1e-15 }), hooks);

    expect(hooks.progress.map((event) => event.iteration)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
    expect(hooks.progress.every((event) => event.totalIterations === 25 && event.validationLoss !== undefined)).toBe(true);
    const last = hooks.progress.at(-1);
    expect(last?.loss).toBeLessThan(hooks.progress[0]?.loss ?? 0);
    expect(last?.validationLoss).toBeCloseTo(meanLogLoss(trained.predict(test.x), test.y), 4);
  });

  it('stops training when a checkpoint throws', () => {
    const cancelled = new Error('cancelled');
    let checkpoints = 0;
    const hooks = recordingHooks({
      checkpoint: () => {
        checkpoints += 1;
        if (checkpoints === 3) throw cancelled;
      },
    });

    expect(() => trainer.train(aBinaryInput(train), defaults, hooks)).toThrow(cancelled);
    expect(hooks.progress).toHaveLength(2);
  });

  it('predicts what onnxruntime computes within 1e-5 when features are missing', async () => {
    const withMissing = logisticData({ ...known, rows: 4_000, missingRate: 0.2 });
    const trained = trainer.train(aBinaryInput(withMissing), defaults, SILENT_HOOKS);
    const probe = logisticData({ ...known, rows: 2_000, seed: 13, missingRate: 0.2 });

    const output = await runOnnxModel(trained.toOnnx({ metadata: {} }), probe.x, MODEL_OUTPUT.binary);

    expect(Number.isNaN(probe.x.values.find(Number.isNaN) ?? 0)).toBe(true);
    expect(maxAbsoluteDifference(output, trained.predict(probe.x))).toBeLessThanOrEqual(1e-5);
  });

  it('predicts what onnxruntime computes within 1e-5 when a feature mean dwarfs its spread', async () => {
    // A timestamp-like feature: mean / std = 1e6.
    const offset = logisticData({ rows: 3_000, features: [{ mean: 1e6, scale: 1 }, { mean: 0, scale: 1 }], weights: [1, -1], bias: -1e6, seed: 14 });
    const trained = trainer.train(aBinaryInput(offset), defaults, SILENT_HOOKS);

    const output = await runOnnxModel(trained.toOnnx({ metadata: {} }), offset.x, MODEL_OUTPUT.binary);

    expect(maxAbsoluteDifference(output, trained.predict(offset.x))).toBeLessThanOrEqual(1e-5);
  });

  it('exports a features → probability graph with sorted metadata and the runner as producer', () => {
    const bytes = model.toOnnx({ metadata: { trainer: 'logistic_regression', dataset_digest: 'abc' }, producerVersion: '1.2.3' });
    const info = inspectOnnxModel(bytes);

    expect(info.producerName).toBe('strata-training-runner');
    expect(info.producerVersion).toBe('1.2.3');
    expect(info.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 3], unknownRank: false }]);
    expect(info.outputs).toEqual([{ name: 'probability', datatype: 'FP32', shape: [-1, 1], unknownRank: false }]);
    expect(info.opsets).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    const text = Buffer.from(bytes).toString('latin1');
    expect(text.indexOf('dataset_digest')).toBeLessThan(text.indexOf('trainer'));
  });

  it('exports byte-identical ONNX when trained twice on the same input', () => {
    const options = { metadata: { trainer: 'logistic_regression' } };
    const input = aBinaryInput(train, { seed: 3 });
    const params = trainer.resolveParams({ batchSize: 1_000, maxIterations: 5 });

    const first = trainer.train(input, params, SILENT_HOOKS).toOnnx(options);
    const second = trainer.train(input, params, SILENT_HOOKS).toOnnx(options);

    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('fills the training.proto defaults when fields are zero or absent', () => {
    expect(trainer.resolveParams({ learningRate: 0, maxIterations: 0, tolerance: 0 })).toEqual({ learningRate: 0.1, maxIterations: 200, l2: 0, tolerance: 1e-6, batchSize: 0 });
    expect(trainer.describeParams(defaults)).toEqual({ learning_rate: '0.1', max_iterations: '200', l2: '0', tolerance: '0.000001', batch_size: '0' });
  });

  it.each([
    ['learning_rate', { learningRate: -0.1 }],
    ['learning_rate', { learningRate: Number.NaN }],
    ['max_iterations', { maxIterations: 2.5 }],
    ['max_iterations', { maxIterations: -1 }],
    ['l2', { l2: -1 }],
    ['tolerance', { tolerance: -1e-6 }],
    ['batch_size', { batchSize: -5 }],
  ])('throws InvalidParamsError naming %s when it is out of range', (field, raw) => {
    expect(() => trainer.resolveParams(raw)).toThrow(expect.objectContaining({ name: InvalidParamsError.name, field }));
  });

  it('refuses labels other than 0 and 1 and tasks other than binary', () => {
    const bad = { x: train.x, y: train.y.map((label) => label * 2) };

    expect(() => trainer.train(aBinaryInput(bad), defaults, SILENT_HOOKS)).toThrow(/label 2/);
    expect(() => trainer.train(aBinaryInput(train, { task: 'regression' }), defaults, SILENT_HOOKS)).toThrow(/regression/);
  });
});

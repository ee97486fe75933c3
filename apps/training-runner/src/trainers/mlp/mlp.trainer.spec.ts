import { inspectOnnxModel } from '@strata/onnx';

import { LogisticRegressionTrainer } from '../logistic-regression/logistic-regression.trainer';
import { meanLogLoss, recordingHooks } from '../logistic-regression/logistic-data.fixtures';
import { maxAbsoluteDifference, runOnnxModel } from '../preprocessing/onnx-session.fixtures';
import { InvalidParamsError, MODEL_OUTPUT, SILENT_HOOKS, type TrainingTask } from '../shared/trainer';
import { type MlpActivation } from './activation';
import { MlpTrainer } from './mlp.trainer';
import { accuracy, anInput, blobData, circleData, noisyCircleData, rmse, sineData } from './mlp-data.fixtures';

const trainer = new MlpTrainer();
// Small problems learn faster with a higher rate and smaller batches than the defaults.
const quick = trainer.resolveParams({ hiddenLayers: [16, 16], learningRate: 0.01, batchSize: 32, epochs: 40 });

describe(MlpTrainer.name, () => {
  it('learns a circle that logistic regression cannot separate', () => {
    const train = circleData(3_000, 1);
    const test = circleData(1_000, 2);

    const mlp = trainer.train(anInput('binary', train), quick, SILENT_HOOKS);
    const linear = new LogisticRegressionTrainer().train(anInput('binary', train), new LogisticRegressionTrainer().resolveParams({}), SILENT_HOOKS);

    expect(accuracy(mlp.predict(test.x), test.y)).toBeGreaterThan(0.95);
    expect(accuracy(linear.predict(test.x), test.y)).toBeLessThan(0.7);
  });

  it('fits y = sin(x) far better than the mean when the task is regression', () => {
    const train = sineData(2_000, 3);
    const test = sineData(500, 4);
    const mean = train.y.reduce((sum, value) => sum + value, 0) / train.y.length;

    const model = trainer.train(anInput('regression', train), { ...quick, activation: 'tanh' }, SILENT_HOOKS);

    expect(rmse(model.predict(test.x), test.y)).toBeLessThan(0.1 * rmse(new Float64Array(test.y.length).fill(mean), test.y));
  });

  it('separates three blobs with probabilities that sum to 1 when the task is multiclass', () => {
    const train = blobData(2_000, 5);
    const test = blobData(500, 6);

    const probabilities = trainer.train(anInput('multiclass', train), quick, SILENT_HOOKS).predict(test.x);

    expect(accuracy(probabilities, test.y, 3)).toBeGreaterThan(0.95);
    for (let row = 0; row < test.x.rows; row += 1) expect(probabilities.subarray(row * 3, row * 3 + 3).reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 9);
  });

  it('stops early and keeps the weights of the best validation epoch', () => {
    const train = noisyCircleData(400, 7, 0.3);
    const validation = noisyCircleData(400, 8, 0.3);
    const hooks = recordingHooks();
    const params = trainer.resolveParams({ hiddenLayers: [128, 128], learningRate: 0.01, batchSize: 16, epochs: 200, earlyStoppingPatience: 3 });

    const model = trainer.train(anInput('binary', train, { validation }), params, hooks);

    const losses = hooks.progress.map((event) => event.validationLoss ?? Number.NaN);
    const best = Math.min(...losses);
    expect(model.iterations).toBeLessThan(200);
    expect(model.iterations).toBe(losses.indexOf(best) + 1 + 3);
    expect(meanLogLoss(model.predict(validation.x), validation.y)).toBeCloseTo(best, 4);
    expect(losses.at(-1)).toBeGreaterThan(best);
  });

  it('reports the loss and validation loss once per epoch', () => {
    const hooks = recordingHooks();

    trainer.train(anInput('binary', circleData(500, 9), { validation: circleData(200, 10) }), { ...quick, epochs: 5 }, hooks);

    expect(hooks.progress.map((event) => [event.iteration, event.totalIterations])).toEqual([1, 2, 3, 4, 5].map((epoch) => [epoch, 5]));
    expect(hooks.progress.every((event) => Number.isFinite(event.loss) && Number.isFinite(event.validationLoss))).toBe(true);
  });

  it('stops training when a checkpoint throws', () => {
    const cancelled = new Error('cancelled');
    let checkpoints = 0;
    const hooks = recordingHooks({
      checkpoint: () => {
        checkpoints += 1;
        if (checkpoints === 4) throw cancelled;
      },
    });

    expect(() => trainer.train(anInput('binary', circleData(500, 9)), quick, hooks)).toThrow(cancelled);
    expect(hooks.progress).toHaveLength(3);
  });

  it('flattens the predictions when l2 is large', () => {
    const train = circleData(1_000, 11);
    const spread = (values: Float64Array): number => Math.max(...values) - Math.min(...values);

    const free = trainer.train(anInput('binary', train), { ...quick, epochs: 10 }, SILENT_HOOKS).predict(train.x);
    const decayed = trainer.train(anInput('binary', train), { ...quick, epochs: 10, l2: 1 }, SILENT_HOOKS).predict(train.x);

    expect(spread(decayed)).toBeLessThan(0.25 * spread(free));
  });

  it.each<[TrainingTask, MlpActivation, number]>([
    ['binary', 'relu', 1],
    ['binary', 'tanh', 1],
    ['binary', 'sigmoid', 1],
    ['regression', 'relu', 1],
    ['multiclass', 'tanh', 3],
  ])('predicts what onnxruntime computes within 1e-5 for %s with %s when features are missing', async (task, activation, units) => {
    const data = { binary: circleData, regression: sineData, multiclass: blobData }[task];
    const train = data(1_000, 12, 0.1);
    const probe = data(500, 13, 0.2);
    const model = trainer.train(anInput(task, train), { ...quick, activation, hiddenLayers: [24, 12, 6], epochs: 5, dropout: 0.1 }, SILENT_HOOKS);

    const output = await runOnnxModel(model.toOnnx({ metadata: {} }), probe.x, MODEL_OUTPUT[task]);

    expect(output).toHaveLength(probe.x.rows * units);
    expect(maxAbsoluteDifference(output, model.predict(probe.x))).toBeLessThanOrEqual(1e-5);
  });

  it('exports the task output with its shape and the runner as producer', () => {
    const model = trainer.train(anInput('multiclass', blobData(300, 14)), { ...quick, epochs: 1 }, SILENT_HOOKS);

    const info = inspectOnnxModel(model.toOnnx({ metadata: { trainer: 'mlp' }, producerVersion: 'abc' }));

    expect(info.producerName).toBe('strata-training-runner');
    expect(info.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 2], unknownRank: false }]);
    expect(info.outputs).toEqual([{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3], unknownRank: false }]);
  });

  it('exports byte-identical ONNX for the same seed and different bytes for another seed', () => {
    const train = circleData(500, 15);
    const params = { ...quick, epochs: 3, dropout: 0.2 };
    const bytes = (seed: number): Buffer => Buffer.from(trainer.train(anInput('binary', train, { seed }), params, SILENT_HOOKS).toOnnx({ metadata: { trainer: 'mlp' } }));

    expect(bytes(1).equals(bytes(1))).toBe(true);
    expect(bytes(1).equals(bytes(2))).toBe(false);
  });

  it('fills the training.proto defaults when fields are zero, empty or absent', () => {
    const defaults = trainer.resolveParams({ hiddenLayers: [], learningRate: 0, epochs: 0, batchSize: 0 });

    expect(defaults).toEqual({ hiddenLayers: [64, 32], activation: 'relu', learningRate: 0.001, epochs: 20, batchSize: 256, dropout: 0, l2: 0, earlyStoppingPatience: 0 });
    expect(trainer.describeParams(defaults)).toEqual({
      hidden_layers: '64,32',
      activation: 'relu',
      learning_rate: '0.001',
      epochs: '20',
      batch_size: '256',
      dropout: '0',
      l2: '0',
      early_stopping_patience: '0',
    });
  });

  it.each([
    ['hidden_layers', { hiddenLayers: [8, 8, 8, 8] }],
    ['hidden_layers', { hiddenLayers: [0] }],
    ['hidden_layers', { hiddenLayers: [1025] }],
    ['hidden_layers', { hiddenLayers: [2.5] }],
    ['activation', { activation: 'gelu' as MlpActivation }],
    ['learning_rate', { learningRate: -1 }],
    ['epochs', { epochs: -3 }],
    ['batch_size', { batchSize: 1.5 }],
    ['dropout', { dropout: 1 }],
    ['dropout', { dropout: -0.1 }],
    ['l2', { l2: -1 }],
    ['early_stopping_patience', { earlyStoppingPatience: -1 }],
  ])('throws InvalidParamsError naming %s when it is out of range', (field, raw) => {
    expect(() => trainer.resolveParams(raw)).toThrow(expect.objectContaining({ name: InvalidParamsError.name, field }));
  });

  it('refuses multiclass labels outside [0, classes)', () => {
    const train = blobData(100, 16);

    expect(() => trainer.train(anInput('multiclass', train, { classes: 2 }), quick, SILENT_HOOKS)).toThrow(/label 2/);
  });
});

import { LogisticRegressionTrainer } from '../logistic-regression/logistic-regression.trainer';
import { logisticData, aBinaryInput } from '../logistic-regression/logistic-data.fixtures';
import { maxAbsoluteDifference, runOnnxModel } from '../preprocessing/onnx-session.fixtures';
import { MODEL_OUTPUT, SILENT_HOOKS, type TrainingTask } from '../shared/trainer';
import { type MlpActivation } from './activation';
import { MlpTrainer } from './mlp.trainer';
import { accuracy, anInput, blobData, circleData, sineData } from './mlp-data.fixtures';

const trainer = new MlpTrainer();
const quick = trainer.resolveParams({ hiddenLayers: [16, 16], learningRate: 0.01, batchSize: 32, epochs: 40 });
it('diag', async () => {
  for (const [task, activation] of [['binary', 'relu'], ['binary', 'tanh'], ['binary', 'sigmoid'], ['regression', 'relu'], ['regression', 'tanh'], ['multiclass', 'tanh'], ['multiclass', 'relu']] as [TrainingTask, MlpActivation][]) {
    const data = { binary: circleData, regression: sineData, multiclass: blobData }[task];
    const train = data(1_000, 12, 0.1);
    const probe = data(2000, 13, 0.2);
    const model = trainer.train(anInput(task, train), { ...quick, activation, hiddenLayers: [24, 12, 6], epochs: 5, dropout: 0.1 }, SILENT_HOOKS);
    const model2 = trainer.train(anInput(task, train), { ...quick, activation, hiddenLayers: [256, 128], epochs: 30 }, SILENT_HOOKS);
    const d1 = maxAbsoluteDifference(await runOnnxModel(model.toOnnx({ metadata: {} }), probe.x, MODEL_OUTPUT[task]), model.predict(probe.x));
    const d2 = maxAbsoluteDifference(await runOnnxModel(model2.toOnnx({ metadata: {} }), probe.x, MODEL_OUTPUT[task]), model2.predict(probe.x));
    console.log(task, activation, d1.toExponential(2), 'big:', d2.toExponential(2));
  }
  const c = circleData(3000, 1), t = circleData(1000, 2);
  console.log('circle acc', accuracy(trainer.train(anInput('binary', c), quick, SILENT_HOOKS).predict(t.x), t.y));
  // LR parity with large mean/std ratios
  for (const ratio of [1, 10, 100, 1000]) {
    const spec = { rows: 3000, features: [{ mean: ratio, scale: 1 }, { mean: -ratio * 3, scale: 3 }], weights: [1, -0.5], bias: 0, seed: 3 };
    const d = logisticData(spec);
    const lr = new LogisticRegressionTrainer();
    const m = lr.train(aBinaryInput(d), lr.resolveParams({}), SILENT_HOOKS);
    console.log('LR mean/std', ratio, maxAbsoluteDifference(await runOnnxModel(m.toOnnx({ metadata: {} }), d.x, 'probability'), m.predict(d.x)).toExponential(2));
  }
});

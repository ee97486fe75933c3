import { type IterationProgress, SILENT_HOOKS, type TrainingHooks } from '../shared/trainer';
import { accuracy, aTrainingInput, meanOf, meanSquaredError, NOISE, STEP, syntheticData, XOR_STEP } from './gbdt-data.fixtures';
import { GbdtTrainer } from './gbdt-trainer';

const trainer = new GbdtTrainer();

function recordingHooks(): TrainingHooks & { progress: IterationProgress[]; checkpoints: number } {
  const hooks = {
    progress: [] as IterationProgress[],
    checkpoints: 0,
    onIteration: (progress: IterationProgress) => hooks.progress.push(progress),
    checkpoint: () => {
      hooks.checkpoints += 1;
    },
    log: () => undefined,
  };
  return hooks;
}

describe(GbdtTrainer.name, () => {
  it('learns a step function to the noise level when the task is regression', () => {
    const train = syntheticData(STEP, { rows: 2000, seed: 1 });
    const test = syntheticData(STEP, { rows: 1000, seed: 2 });

    const model = trainer.train(aTrainingInput('regression', train), trainer.resolveParams({ numTrees: 50, learningRate: 0.3 }), SILENT_HOOKS);

    const mse = meanSquaredError(test.y, model.predict(test.x));
    const baseline = meanSquaredError(test.y, new Float64Array(test.y.length).fill(meanOf(train.y)));
    // The uniform noise in [-0.1, 0.1) alone has a variance of 0.0033; the mean predictor's MSE is ~4.
    expect(mse).toBeLessThan(0.01);
    expect(mse).toBeLessThan(baseline / 100);
  });

  it('learns an xor of two steps when the task is binary', () => {
    const train = syntheticData(XOR_STEP, { rows: 4000, seed: 3 });
    const test = syntheticData(XOR_STEP, { rows: 1000, seed: 4 });

    const model = trainer.train(aTrainingInput('binary', train), trainer.resolveParams({ numTrees: 60, learningRate: 0.3, maxDepth: 3 }), SILENT_HOOKS);

    const majority = Math.max(meanOf(test.y), 1 - meanOf(test.y));
    expect(accuracy(test.y, model.predict(test.x))).toBeGreaterThan(0.98);
    expect(majority).toBeLessThan(0.7);
  });

  it('learns from NaN when the missing value itself carries the signal', () => {
    // y = 1 exactly when x0 is missing: no threshold on the values can tell, only the NaN direction.
    const rule = (row: Float64Array): number => (Number.isNaN(row[0]) ? 1 : 0);
    const train = syntheticData(rule, { rows: 3000, seed: 5, missingRate: 0.3 });
    const test = syntheticData(rule, { rows: 1000, seed: 6, missingRate: 0.3 });

    const model = trainer.train(aTrainingInput('binary', train), trainer.resolveParams({ numTrees: 20, learningRate: 0.5 }), SILENT_HOOKS);

    expect(accuracy(test.y, model.predict(test.x))).toBe(1);
  });

  it.each([
    ['left', 'like the low values', (x: number) => Number.isNaN(x) || x < 0.3, 1],
    ['right', 'like the high values', (x: number) => Number.isNaN(x) || x > 0.7, 0],
  ])('sends NaN %s when missing rows behave %s', (_side, _behaviour, positive, missingLeft) => {
    const rule = (row: Float64Array): number => (positive(row[0]) ? 1 : 0);
    const train = syntheticData(rule, { rows: 3000, cols: 1, seed: 7, missingRate: 0.2 });
    const test = syntheticData(rule, { rows: 1000, cols: 1, seed: 8, missingRate: 0.2 });

    // A single stump: only the learned default direction can put the NaN rows on the right side.
    const model = trainer.train(aTrainingInput('binary', train), trainer.resolveParams({ numTrees: 1, maxDepth: 1, learningRate: 1 }), SILENT_HOOKS);

    expect(model.trees[0].missingLeft[0]).toBe(missingLeft);
    expect(accuracy(test.y, model.predict(test.x))).toBe(1);
  });

  it('stops early on noise and keeps the best iteration when validation stops improving', () => {
    const train = syntheticData(NOISE, { rows: 500, seed: 9 });
    const validation = syntheticData(NOISE, { rows: 500, seed: 10 });
    const hooks = recordingHooks();

    const model = trainer.train(
      aTrainingInput('regression', train, { validation }),
      trainer.resolveParams({ numTrees: 200, learningRate: 0.5, minSamplesLeaf: 5, earlyStoppingRounds: 5 }),
      hooks,
    );

    const losses = hooks.progress.map((progress) => progress.validationLoss as number);
    const bestRound = losses.indexOf(Math.min(...losses)) + 1;
    expect(model.iterations).toBeLessThan(200);
    expect(model.iterations).toBe(bestRound + 5);
    expect(model.trees).toHaveLength(bestRound);
    // The kept model is the best round's: its own validation loss is the curve's minimum.
    expect(meanSquaredError(validation.y, model.predict(validation.x))).toBeCloseTo(Math.min(...losses), 6);
  });

  it('runs every round when there is no validation split to stop on', () => {
    const train = syntheticData(NOISE, { rows: 300, seed: 11 });

    const model = trainer.train(aTrainingInput('regression', train), trainer.resolveParams({ numTrees: 12, earlyStoppingRounds: 2 }), SILENT_HOOKS);

    expect([model.iterations, model.trees.length]).toEqual([12, 12]);
  });

  it('reports one progress and one checkpoint per round when training runs', () => {
    const train = syntheticData(STEP, { rows: 400, seed: 12 });
    const validation = syntheticData(STEP, { rows: 200, seed: 13 });
    const hooks = recordingHooks();

    trainer.train(aTrainingInput('regression', train, { validation }), trainer.resolveParams({ numTrees: 7 }), hooks);

    expect(hooks.checkpoints).toBe(7);
    expect(hooks.progress.map((progress) => [progress.iteration, progress.totalIterations])).toEqual([1, 2, 3, 4, 5, 6, 7].map((round) => [round, 7]));
    const losses = hooks.progress.map((progress) => progress.loss);
    expect(losses.every((loss, round) => round === 0 || loss < losses[round - 1])).toBe(true);
    expect(hooks.progress.every((progress) => Number.isFinite(progress.validationLoss))).toBe(true);
  });

  it('stops and propagates the error when a checkpoint throws', () => {
    const train = syntheticData(STEP, { rows: 400, seed: 14 });
    const hooks = recordingHooks();
    const cancelled = new Error('cancelled');
    const cancelling: TrainingHooks = {
      ...hooks,
      checkpoint: () => {
        hooks.checkpoints += 1;
        if (hooks.checkpoints === 3) throw cancelled;
      },
    };

    expect(() => trainer.train(aTrainingInput('regression', train), trainer.resolveParams({ numTrees: 10 }), cancelling)).toThrow(cancelled);
    expect(hooks.progress).toHaveLength(2);
  });

  it('produces byte-identical ONNX when trained twice with the same seed', () => {
    const train = syntheticData(XOR_STEP, { rows: 1000, seed: 15, missingRate: 0.1 });
    const params = trainer.resolveParams({ numTrees: 10, subsample: 0.5 });

    const first = trainer.train(aTrainingInput('binary', train, { seed: 42 }), params, SILENT_HOOKS).toOnnx({ metadata: { trainer: 'gbdt' } });
    const second = trainer.train(aTrainingInput('binary', train, { seed: 42 }), params, SILENT_HOOKS).toOnnx({ metadata: { trainer: 'gbdt' } });

    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('produces a different model when the seed changes and rows are subsampled', () => {
    const train = syntheticData(XOR_STEP, { rows: 1000, seed: 15, missingRate: 0.1 });
    const params = trainer.resolveParams({ numTrees: 10, subsample: 0.5 });

    const first = trainer.train(aTrainingInput('binary', train, { seed: 42 }), params, SILENT_HOOKS).toOnnx({ metadata: {} });
    const second = trainer.train(aTrainingInput('binary', train, { seed: 43 }), params, SILENT_HOOKS).toOnnx({ metadata: {} });

    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(false);
  });

  it('refuses a multiclass task', () => {
    const train = syntheticData(XOR_STEP, { rows: 50, seed: 16 });

    expect(() => trainer.train(aTrainingInput('multiclass', train, { classes: 2 }), trainer.resolveParams({}), SILENT_HOOKS)).toThrow(/multiclass/);
  });

  it('keeps a single-leaf tree when no split satisfies min_samples_leaf', () => {
    const train = syntheticData(STEP, { rows: 30, seed: 17 });

    const model = trainer.train(aTrainingInput('regression', train), trainer.resolveParams({ numTrees: 3, minSamplesLeaf: 20 }), SILENT_HOOKS);

    expect(model.trees.map((tree) => tree.nodeCount)).toEqual([1, 1, 1]);
    const predictions = model.predict(train.x);
    expect(predictions.every((prediction) => prediction === predictions[0])).toBe(true);
  });
});

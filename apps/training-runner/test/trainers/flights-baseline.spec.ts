// Each built-in trainer must beat the trivial baseline — always predicting the training
// split's delay rate — on real data: flights-20k, point-in-time airport/route features, the
// latest 20% of flights held out. Params are modest so the whole file runs in seconds.
import { auc, logLoss } from '../../src/evaluation/metrics';
import { GbdtTrainer } from '../../src/trainers/gbdt';
import { LogisticRegressionTrainer } from '../../src/trainers/logistic-regression';
import { MlpTrainer } from '../../src/trainers/mlp';
import { SILENT_HOOKS, type TrainedModel, type TrainingInput } from '../../src/trainers/shared/trainer';
import { buildFlightsFeatures, type FlightsTimeSplit, loadFlights20k, timeSplit } from '../fixtures/flights-features';

/** How far above chance (0.5) the test AUC must be. */
const AUC_MARGIN = 0.05;
const SEED = 20_240_501;

interface Candidate {
  readonly name: string;
  train(input: TrainingInput): TrainedModel;
}

const CANDIDATES: readonly Candidate[] = [
  {
    name: GbdtTrainer.name,
    train: (input) => {
      const trainer = new GbdtTrainer();
      return trainer.train(input, trainer.resolveParams({ numTrees: 50, maxDepth: 4, learningRate: 0.1 }), SILENT_HOOKS);
    },
  },
  {
    name: LogisticRegressionTrainer.name,
    train: (input) => {
      const trainer = new LogisticRegressionTrainer();
      return trainer.train(input, trainer.resolveParams({}), SILENT_HOOKS);
    },
  },
  {
    name: MlpTrainer.name,
    train: (input) => {
      const trainer = new MlpTrainer();
      return trainer.train(input, trainer.resolveParams({ hiddenLayers: [16], epochs: 10, batchSize: 256, learningRate: 0.01 }), SILENT_HOOKS);
    },
  },
];

describe('flights delay baseline', () => {
  let split: FlightsTimeSplit;
  let input: TrainingInput;
  let baselineLogLoss: number;

  beforeAll(() => {
    const features = buildFlightsFeatures(loadFlights20k());
    split = timeSplit(features, 0.2);
    input = { task: 'binary', featureNames: features.featureNames, train: split.train, seed: SEED };
    const trainRate = split.train.y.reduce((sum, label) => sum + label, 0) / split.train.y.length;
    baselineLogLoss = logLoss(split.test.y, new Float64Array(split.test.y.length).fill(trainRate))!;
  });

  it.each(CANDIDATES)('beats the constant train-rate predictor on the later flights when $name trains', ({ train }) => {
    const predictions = train(input).predict(split.test.x);

    expect(auc(split.test.y, predictions)).toBeGreaterThan(0.5 + AUC_MARGIN);
    expect(logLoss(split.test.y, predictions)).toBeLessThan(baselineLogLoss);
  });
});

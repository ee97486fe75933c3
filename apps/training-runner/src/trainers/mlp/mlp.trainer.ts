import { Standardizer } from '../preprocessing/standardizer';
import { checkTrainingInput } from '../preprocessing/training-labels';
import { seededRandom, shuffledIndices } from '../shared/random';
import { type Trainer, type TrainingHooks, type TrainingInput, type TrainingTask } from '../shared/trainer';
import { Adam } from './adam';
import { DenseNetwork } from './dense-network';
import { EarlyStopping } from './early-stopping';
import { MlpModel } from './mlp.model';
import { describeMlpParams, type MlpParams, resolveMlpParams } from './mlp.params';
import { MlpPasses } from './mlp-passes';
import { outputHeadFor } from './output-head';

/**
 * A multi-layer perceptron (1–3 hidden layers) trained with Adam on seeded shuffled mini-batches
 * of standardized features (train-split mean and std, NaN imputed by the mean); regression
 * targets are standardized too. Weights start He/Glorot-normal from the seed; dropout applies
 * to hidden layers while training; L2 decays the weights. One iteration is one epoch: its loss
 * is the mean training-mode loss of its mini-batches, its validation loss a full pass without
 * dropout. With a validation split and `earlyStoppingPatience`, training stops after that many
 * epochs without a better validation loss and keeps the best epoch's weights.
 */
export class MlpTrainer implements Trainer<MlpParams> {
  readonly name = 'mlp';
  readonly tasks: readonly TrainingTask[] = ['binary', 'regression', 'multiclass'];

  resolveParams(raw: Partial<MlpParams>): MlpParams {
    return resolveMlpParams(raw);
  }

  describeParams(params: MlpParams): Record<string, string> {
    return describeMlpParams(params);
  }

  train(input: TrainingInput, params: MlpParams, hooks: TrainingHooks): MlpModel {
    if (!this.tasks.includes(input.task)) throw new RangeError(`${this.name} does not support the ${input.task} task`);
    checkTrainingInput(input);
    const standardizer = Standardizer.fitOn(input.train.x);
    const x = standardizer.transform(input.train.x);
    const validationX = input.validation && standardizer.transform(input.validation.x);
    const target = input.task === 'regression' ? targetScaling(input.train.y) : undefined;
    const y = target === undefined ? input.train.y : standardizeTargets(input.train.y, target);
    const validationY = input.validation && (target === undefined ? input.validation.y : standardizeTargets(input.validation.y, target));
    const head = outputHeadFor(input.task, input.classes ?? 0, target?.scale ?? 1);

    const random = seededRandom(input.seed);
    const network = DenseNetwork.initialize([x.cols, ...params.hiddenLayers, head.units], params.activation, random);
    const rows = x.rows;
    const batchSize = Math.min(params.batchSize, rows);
    const passes = new MlpPasses(network, head, { hiddenActivation: params.activation, batchSize, dropout: params.dropout, random });
    const optimizer = new Adam(network.params.length, params.learningRate);
    const gradient = new Float64Array(network.params.length);
    const earlyStopping = validationX !== undefined && params.earlyStoppingPatience > 0 ? new EarlyStopping(params.earlyStoppingPatience) : undefined;
    if (params.earlyStoppingPatience > 0 && validationX === undefined) hooks.log('early stopping is off: there is no validation split');

    let epochs = 0;
    for (let epoch = 1; epoch <= params.epochs; epoch += 1) {
      hooks.checkpoint();
      const order = shuffledIndices(rows, random);
      let lossSum = 0;
      for (let start = 0; start < rows; start += batchSize) {
        lossSum += passes.gradient(x, y, order, start, Math.min(start + batchSize, rows), gradient, params.l2);
        optimizer.step(network.params, gradient);
      }
      const loss = lossSum / rows;
      if (!Number.isFinite(loss)) throw new Error(`mlp diverged in epoch ${epoch}; lower learning_rate (${params.learningRate})`);
      const validationLoss = validationX && validationY && passes.loss(validationX, validationY) / validationX.rows;
      epochs = epoch;
      hooks.onIteration({ iteration: epoch, totalIterations: params.epochs, loss, validationLoss });
      if (earlyStopping !== undefined && validationLoss !== undefined && earlyStopping.observe(epoch, validationLoss, network.params)) break;
    }
    if (earlyStopping !== undefined) {
      earlyStopping.restoreBest(network.params);
      hooks.log(`mlp ran ${epochs} of ${params.epochs} epochs; keeping epoch ${earlyStopping.bestEpoch} (best validation loss)`);
    }
    return new MlpModel({ iterations: epochs, task: input.task, standardizer, network, hiddenActivation: params.activation, head, target });
  }
}

function targetScaling(y: Float64Array): { mean: number; scale: number } {
  let mean = 0;
  for (let row = 0; row < y.length; row += 1) mean += ((y[row] as number) - mean) / (row + 1);
  let squares = 0;
  for (const value of y) squares += (value - mean) ** 2;
  const std = Math.sqrt(squares / y.length);
  return { mean, scale: std > 0 ? std : 1 };
}

function standardizeTargets(y: Float64Array, target: { mean: number; scale: number }): Float64Array {
  return y.map((value) => (value - target.mean) / target.scale);
}

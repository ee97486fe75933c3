import { InvalidParamsError } from '../shared/trainer';
import { MLP_ACTIVATIONS, type MlpActivation } from './activation';

/** Hyper-parameters of {@link MlpTrainer} (training.proto `MlpParams`). */
export interface MlpParams {
  /** Hidden layer sizes, input side first: 1 to 3 layers of 1 to 1024 units. Default [64, 32]. */
  readonly hiddenLayers: readonly number[];
  /** Activation of the hidden layers. Default `relu`. */
  readonly activation: MlpActivation;
  /** Adam learning rate. Default 0.001. */
  readonly learningRate: number;
  /** Training epochs (passes over the train split). Default 20. */
  readonly epochs: number;
  /** Mini-batch rows. Default 256. */
  readonly batchSize: number;
  /** Dropout rate after each hidden layer while training, in [0, 1). Default 0. */
  readonly dropout: number;
  /** L2 penalty `l2 / 2 · ‖W‖²` on the weights (not the biases). Default 0. */
  readonly l2: number;
  /** Stop after this many epochs without a better validation loss, keeping the best epoch's weights; 0 = never. Default 0. */
  readonly earlyStoppingPatience: number;
}

/** The documented defaults (a zero, empty or absent field means these). */
export const MLP_DEFAULTS: MlpParams = {
  hiddenLayers: [64, 32],
  activation: 'relu',
  learningRate: 0.001,
  epochs: 20,
  batchSize: 256,
  dropout: 0,
  l2: 0,
  earlyStoppingPatience: 0,
};

const MAX_HIDDEN_LAYERS = 3;
const MAX_UNITS = 1024;
const MAX_EPOCHS = 10_000;
const MAX_BATCH_SIZE = 1_000_000;

/**
 * Fills defaults (0, empty or absent = default, as in training.proto) and validates.
 * @throws InvalidParamsError naming the first bad field (snake_case).
 */
export function resolveMlpParams(raw: Partial<MlpParams>): MlpParams {
  const params: MlpParams = {
    hiddenLayers: raw.hiddenLayers === undefined || raw.hiddenLayers.length === 0 ? MLP_DEFAULTS.hiddenLayers : [...raw.hiddenLayers],
    activation: raw.activation ?? MLP_DEFAULTS.activation,
    learningRate: orDefault(raw.learningRate, MLP_DEFAULTS.learningRate),
    epochs: orDefault(raw.epochs, MLP_DEFAULTS.epochs),
    batchSize: orDefault(raw.batchSize, MLP_DEFAULTS.batchSize),
    dropout: raw.dropout ?? MLP_DEFAULTS.dropout,
    l2: raw.l2 ?? MLP_DEFAULTS.l2,
    earlyStoppingPatience: raw.earlyStoppingPatience ?? MLP_DEFAULTS.earlyStoppingPatience,
  };
  const { hiddenLayers } = params;
  if (hiddenLayers.length > MAX_HIDDEN_LAYERS) throw new InvalidParamsError('hidden_layers', `at most ${MAX_HIDDEN_LAYERS} layers, got ${hiddenLayers.length}`);
  if (!hiddenLayers.every((units) => Number.isInteger(units) && units >= 1 && units <= MAX_UNITS)) {
    throw new InvalidParamsError('hidden_layers', `each layer needs an integer of units in [1, ${MAX_UNITS}], got [${hiddenLayers.join(', ')}]`);
  }
  if (!MLP_ACTIVATIONS.includes(params.activation)) throw new InvalidParamsError('activation', `must be one of ${MLP_ACTIVATIONS.join(', ')}, got ${String(params.activation)}`);
  if (!(Number.isFinite(params.learningRate) && params.learningRate > 0)) throw new InvalidParamsError('learning_rate', `must be a number > 0, got ${params.learningRate}`);
  checkInteger('epochs', params.epochs, 1, MAX_EPOCHS);
  checkInteger('batch_size', params.batchSize, 1, MAX_BATCH_SIZE);
  if (!(Number.isFinite(params.dropout) && params.dropout >= 0 && params.dropout < 1)) throw new InvalidParamsError('dropout', `must be in [0, 1), got ${params.dropout}`);
  if (!(Number.isFinite(params.l2) && params.l2 >= 0)) throw new InvalidParamsError('l2', `must be a number >= 0, got ${params.l2}`);
  checkInteger('early_stopping_patience', params.earlyStoppingPatience, 0, MAX_EPOCHS);
  return params;
}

/** The effective params under their training.proto names (`hidden_layers` comma-separated). */
export function describeMlpParams(params: MlpParams): Record<string, string> {
  return {
    hidden_layers: params.hiddenLayers.join(','),
    activation: params.activation,
    learning_rate: String(params.learningRate),
    epochs: String(params.epochs),
    batch_size: String(params.batchSize),
    dropout: String(params.dropout),
    l2: String(params.l2),
    early_stopping_patience: String(params.earlyStoppingPatience),
  };
}

function orDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value;
}

function checkInteger(field: string, value: number, min: number, max: number): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) throw new InvalidParamsError(field, `must be an integer in [${min}, ${max}], got ${value}`);
}

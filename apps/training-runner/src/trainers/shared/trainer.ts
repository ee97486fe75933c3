import { type Matrix } from './matrix';

/** The learning task. Labels: binary 0/1; regression any finite number; multiclass a class index 0..classes-1. */
export type TrainingTask = 'binary' | 'regression' | 'multiclass';

/** Features and labels of one split. */
export interface LabeledData {
  readonly x: Matrix;
  readonly y: Float64Array;
}

/** Everything a trainer learns from. `x` may hold NaN (a missing feature value). */
export interface TrainingInput {
  readonly task: TrainingTask;
  /** Number of classes (multiclass only). */
  readonly classes?: number;
  /** Column names of `x`, in model input order. */
  readonly featureNames: readonly string[];
  readonly train: LabeledData;
  /** Used for early stopping and the validation loss curve when present. */
  readonly validation?: LabeledData;
  /** Seed of every random choice the trainer makes. */
  readonly seed: number;
}

/** One point of the training curve. */
export interface IterationProgress {
  /** 1-based. */
  readonly iteration: number;
  /** Planned iterations (rounds, epochs). */
  readonly totalIterations: number;
  readonly loss: number;
  readonly validationLoss?: number;
  readonly metrics?: Readonly<Record<string, number>>;
}

/** What a running trainer reports to and asks of its host. */
export interface TrainingHooks {
  onIteration(progress: IterationProgress): void;
  /** Called once per iteration; throws (e.g. TrainingCancelledError) when the host wants the training to stop. */
  checkpoint(): void;
  log(message: string): void;
}

/** Hooks that ignore everything (unit tests). */
export const SILENT_HOOKS: TrainingHooks = { onIteration: () => undefined, checkpoint: () => undefined, log: () => undefined };

/** The exported graph's single input: FP32 `[batch, featureCount]`, columns in `featureNames` order. */
export const MODEL_INPUT = 'features';
/** Output names by task: binary `probability` FP32 `[batch, 1]` (P(y = 1)); regression `prediction` `[batch, 1]`; multiclass `probabilities` `[batch, classes]`. */
export const MODEL_OUTPUT: Readonly<Record<TrainingTask, string>> = { binary: 'probability', regression: 'prediction', multiclass: 'probabilities' };

/** Model-level fields of the exported ONNX file. Everything here must be deterministic (no clock, no job ID). */
export interface OnnxExportOptions {
  /** Written as `metadata_props`, sorted by key (trainer, params, feature contracts, dataset digest, seed...). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly producerVersion?: string;
}

/** A trained model: its own predictions and its ONNX export, which must agree within 1e-5. */
export interface TrainedModel {
  /** Rounds or epochs actually run (early stopping may end before the plan). */
  readonly iterations: number;
  /**
   * Predictions as the exported graph computes them: on the float32-rounded inputs, binary →
   * P(y = 1), regression → the value, multiclass → `classes` probabilities per row (row-major).
   */
  predict(x: Matrix): Float64Array;
  /** `onnx.ModelProto` bytes; the same model and options give the same bytes. */
  toOnnx(options: OnnxExportOptions): Uint8Array;
}

/** A hyper-parameter the trainer refuses (becomes INVALID_ARGUMENT naming the field). */
export class InvalidParamsError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'InvalidParamsError';
  }
}

/** A training algorithm with typed hyper-parameters. */
export interface Trainer<Params> {
  /** `logistic_regression`, `gbdt` or `mlp`. */
  readonly name: string;
  /** The tasks this trainer supports. */
  readonly tasks: readonly TrainingTask[];
  /**
   * Fills defaults (zero/absent = documented default, as in training.proto) and validates.
   * @throws InvalidParamsError naming the first bad field.
   */
  resolveParams(raw: Partial<Params>): Params;
  /** Effective params as name → value strings, recorded on the job and in the model. */
  describeParams(params: Params): Record<string, string>;
  /** Trains synchronously (the host runs it on a worker thread). Deterministic for the same input and seed. */
  train(input: TrainingInput, params: Params, hooks: TrainingHooks): TrainedModel;
}

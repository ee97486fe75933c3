import { type BuiltInTrainerName } from '../trainers';
import { type TrainingTask } from '../trainers/shared/trainer';

/** A split as it crosses the thread boundary (row-major features, labels). */
export interface WireSplit {
  readonly rows: number;
  readonly cols: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** What the training thread is started with (workerData). */
export interface TrainingThreadInput {
  readonly trainer: BuiltInTrainerName;
  readonly task: TrainingTask;
  readonly classes?: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly featureNames: readonly string[];
  readonly seed: number;
  readonly train: WireSplit;
  readonly validation?: WireSplit;
  readonly test: WireSplit;
  /** ONNX metadata_props. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly producerVersion: string;
  /** Int32 flag: non-zero asks the trainer to stop at its next iteration. */
  readonly stopFlag: SharedArrayBuffer;
}

/** Messages the training thread posts. */
export type TrainingThreadMessage =
  | { readonly type: 'progress'; readonly iteration: number; readonly totalIterations: number; readonly loss: number; readonly validationLoss?: number; readonly metrics?: Readonly<Record<string, number>> }
  | { readonly type: 'log'; readonly message: string }
  | {
      readonly type: 'done';
      readonly onnx: Uint8Array;
      readonly iterations: number;
      readonly params: Readonly<Record<string, string>>;
      readonly predictions: { readonly train: Float64Array; readonly validation?: Float64Array; readonly test: Float64Array };
    }
  | { readonly type: 'failed'; readonly code: string; readonly message: string };

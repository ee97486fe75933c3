import { parentPort, workerData } from 'node:worker_threads';
import { builtInTrainer } from '../trainers';
import { type Matrix } from '../trainers/shared/matrix';
import { InvalidParamsError, type LabeledData, type TrainingHooks } from '../trainers/shared/trainer';
import { type TrainingThreadInput, type TrainingThreadMessage, type WireSplit } from './training-thread-protocol';

// The body of a training worker thread: trains, predicts every split and exports ONNX, posting
// progress as it goes. It owns no I/O; the job's host thread records everything it posts.

/** Thrown by the checkpoint hook when the host set the stop flag. */
class StopRequested extends Error {}

function post(message: TrainingThreadMessage, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

function matrixOf(split: WireSplit): Matrix {
  return { rows: split.rows, cols: split.cols, values: split.x };
}

function labeled(split: WireSplit): LabeledData {
  return { x: matrixOf(split), y: split.y };
}

function run(input: TrainingThreadInput): void {
  const stop = new Int32Array(input.stopFlag);
  const hooks: TrainingHooks = {
    onIteration: (progress) => post({ type: 'progress', ...progress }),
    checkpoint: () => {
      if (Atomics.load(stop, 0) !== 0) throw new StopRequested('stop requested');
    },
    log: (message) => post({ type: 'log', message }),
  };
  const trainer = builtInTrainer(input.trainer);
  try {
    const params = trainer.resolveParams(input.params);
    const model = trainer.train(
      {
        task: input.task,
        ...(input.classes === undefined ? {} : { classes: input.classes }),
        featureNames: input.featureNames,
        train: labeled(input.train),
        ...(input.validation === undefined ? {} : { validation: labeled(input.validation) }),
        seed: input.seed,
      },
      params,
      hooks,
    );
    const predictions = {
      train: model.predict(matrixOf(input.train)),
      ...(input.validation === undefined ? {} : { validation: model.predict(matrixOf(input.validation)) }),
      test: model.predict(matrixOf(input.test)),
    };
    let onnx: Uint8Array;
    try {
      onnx = model.toOnnx({ metadata: input.metadata, producerVersion: input.producerVersion });
    } catch (error) {
      post({ type: 'failed', code: 'EXPORT_FAILED', message: `ONNX export failed: ${String(error)}` });
      return;
    }
    const allFinite = [predictions.train, predictions.test].every((values) => values.every(Number.isFinite));
    if (!allFinite) {
      post({ type: 'failed', code: 'TRAINING_DIVERGED', message: 'the model predicts non-finite values (training diverged); lower the learning rate' });
      return;
    }
    post({ type: 'done', onnx, iterations: model.iterations, params: trainer.describeParams(params), predictions });
  } catch (error) {
    if (error instanceof StopRequested) post({ type: 'failed', code: 'CANCELLED', message: 'stopped on request' });
    else if (error instanceof InvalidParamsError) post({ type: 'failed', code: 'INVALID_PARAMS', message: error.message });
    else if (error instanceof RangeError && /allocation|memory/i.test(error.message)) post({ type: 'failed', code: 'OUT_OF_MEMORY', message: error.message });
    else post({ type: 'failed', code: 'INTERNAL', message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
}

run(workerData as TrainingThreadInput);

/**
 * The model runtime: verified ONNX bytes in, a warm, swappable onnxruntime session out.
 * Plain TypeScript, no Nest: the service layer wraps it.
 */
export {
  type BatchingOptions,
  DEFAULT_MAX_BATCH_ROWS,
  LoadedModel,
  loadModel,
  type LoadModelInput,
  type ModelLease,
  type ModelSignature,
  type SessionThreads,
  type TimedPrediction,
} from './loaded-model';
export { type BatchedResult, batchRunTally, type BatchRunTally, DynamicBatcher, type SessionRunner } from './dynamic-batcher';
export { EventLoopStallProbe } from './event-loop-stall';
export { InvalidInputError, ModelLoadError, type ModelLoadFailureReason, ModelUnavailableError } from './model-runtime.errors';
export { type AliasLoadFailure, type AliasStatus, ServedModel } from './served-model';
export { type InferenceTensor, type TensorValue } from './tensors';

/**
 * @strata/onnx: read, check and build ONNX models in plain TypeScript.
 *
 * - {@link inspectOnnxModel} reads a model's signature and risks (external data, custom
 *   operator domains) from its bytes, refusing anything that is not a servable ModelProto;
 * - {@link checkOnnxModelRuns} proves onnxruntime accepts a model;
 * - {@link OnnxGraphBuilder} and {@link buildLinearModel} write real models.
 *
 * Every refusal is an {@link InvalidOnnxModelError} with a stable `reason`.
 */
export { checkOnnxModelRuns } from './check-onnx-model-runs';
export { type OipDatatype, oipDatatypeOf, onnxDataTypeOf } from './datatypes';
export { inspectOnnxModel, type OnnxModelInfo, type OnnxOpset, type TensorSpec } from './inspect-onnx-model';
export { InvalidOnnxModelError, type InvalidOnnxModelReason } from './invalid-onnx-model.error';
export { buildLinearModel, type LinearModelSpec, type OnnxProducer } from './linear-model';
export {
  DEFAULT_IR_VERSION,
  DEFAULT_OPSET_VERSION,
  type OnnxAttribute,
  type OnnxDim,
  type OnnxExternalDataRef,
  OnnxGraphBuilder,
  type OnnxModelOptions,
  type OnnxNodeSpec,
  type OnnxTensorInit,
  type OnnxValueSpec,
} from './onnx-graph-builder';

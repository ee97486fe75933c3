/**
 * Why a file was refused as an ONNX model:
 * - `empty`: no bytes at all;
 * - `not-protobuf`: the bytes do not decode as an `onnx.ModelProto`;
 * - `missing-graph`, `missing-ir-version`, `missing-opset-import`: a required ModelProto field is absent;
 * - `no-inputs`, `no-outputs`: the graph has no model inputs (after removing initializers) or no outputs;
 * - `non-tensor-io`: a model input or output has no type or a type other than a tensor;
 * - `unsupported-datatype`: a model input or output has an element type with no Open Inference
 *   Protocol datatype (undefined, complex, 8/4/2-bit floats and ints);
 * - `external-data`: tensor data lives in files outside the model (only {@link checkOnnxModelRuns});
 * - `runtime-rejected`: onnxruntime refused to load the model (only {@link checkOnnxModelRuns}).
 */
export type InvalidOnnxModelReason =
  | 'empty'
  | 'not-protobuf'
  | 'missing-graph'
  | 'missing-ir-version'
  | 'missing-opset-import'
  | 'no-inputs'
  | 'no-outputs'
  | 'non-tensor-io'
  | 'unsupported-datatype'
  | 'external-data'
  | 'runtime-rejected';

/**
 * The bytes are not a usable ONNX model. `reason` is stable and meant for code (map it to an
 * error status); `message` is for people and says what was wrong
 * (`invalid ONNX model (no-inputs): the graph has no inputs other than initializers`).
 */
export class InvalidOnnxModelError extends Error {
  override readonly name = 'InvalidOnnxModelError';

  constructor(
    readonly reason: InvalidOnnxModelReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`invalid ONNX model (${reason}): ${detail}`, options);
  }
}

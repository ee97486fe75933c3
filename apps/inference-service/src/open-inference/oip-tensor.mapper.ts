import type { oipV1 } from '@strata/contracts';
import { type OipDatatype } from '@strata/onnx';

import { type InferenceTensor, InvalidInputError } from '../model-runtime';
import { contentsOf, inferenceTensorOf, OIP_DATATYPES } from '../predict/tensor-values';

/** The protocol datatype named `name` (`FP32`, `INT64`, ...), or `undefined` for anything else. */
export function oipDatatypeOf(name: string): OipDatatype | undefined {
  return (OIP_DATATYPES as readonly string[]).includes(name) ? (name as OipDatatype) : undefined;
}

/**
 * An Open Inference Protocol input tensor as the model runtime's {@link InferenceTensor}: reads
 * the contents member matching the datatype, or `raw` (the request's raw_input_contents entry
 * for this input: little-endian; BYTES as 4-byte length-prefixed elements). INT64/UINT64 become
 * bigints (the wire carries them as decimal strings), BYTES UTF-8 strings.
 *
 * @throws {@link InvalidInputError} naming the tensor: unknown or FP16/BF16 datatype, a shape
 * entry that is not a non-negative integer, data whose length does not fill the shape, contents
 * in a member other than the datatype's, both contents and raw contents, an integer string that
 * is not one, bytes that are not UTF-8.
 */
export function fromOipInput(input: oipV1.ModelInferRequest_InferInputTensor, raw?: Uint8Array): InferenceTensor {
  const datatype = oipDatatypeOf(input.datatype);
  if (datatype === undefined) throw new InvalidInputError(input.name, `datatype ${JSON.stringify(input.datatype)} is not an Open Inference Protocol datatype`);
  return inferenceTensorOf({ name: input.name, datatype, shape: input.shape, contents: input.contents, raw, rawField: 'raw_input_contents' });
}

/**
 * A runtime tensor as an Open Inference Protocol output tensor: shape and INT64/UINT64 elements
 * as decimal strings, BOOL as booleans, BYTES as UTF-8 buffers, in the contents member of its datatype.
 *
 * @throws RangeError for FP16/BF16 (the runtime never produces them).
 */
export function toOipOutput(name: string, tensor: InferenceTensor): oipV1.ModelInferResponse_InferOutputTensor {
  return { name, datatype: tensor.datatype, shape: tensor.shape.map((dim) => String(dim)), parameters: {}, contents: contentsOf(name, tensor) };
}

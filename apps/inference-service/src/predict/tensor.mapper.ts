import { commonV1 } from '@strata/contracts';
import { type OipDatatype } from '@strata/onnx';

import { type InferenceTensor, InvalidInputError } from '../model-runtime';
import { contentsOf, inferenceTensorOf, OIP_DATATYPES } from './tensor-values';

type WireDatatype = commonV1.TensorDataType;

// The wire enum names are the protocol names with a prefix: FP32 <-> TENSOR_DATA_TYPE_FP32.
const WIRE_PREFIX = 'TENSOR_DATA_TYPE_';
const OIP_BY_WIRE = new Map<string, OipDatatype>(OIP_DATATYPES.map((datatype) => [`${WIRE_PREFIX}${datatype}`, datatype]));

/** The wire datatype of a protocol datatype. */
export function wireDatatypeOf(datatype: OipDatatype): WireDatatype {
  return `${WIRE_PREFIX}${datatype}` as WireDatatype;
}

/** The protocol datatype of a wire datatype, or `undefined` for UNSPECIFIED and unknown names. */
export function oipDatatypeOfWire(datatype: WireDatatype | string): OipDatatype | undefined {
  return OIP_BY_WIRE.get(datatype);
}

/**
 * A wire tensor as the model runtime's {@link InferenceTensor}: reads the contents member
 * matching the datatype, or raw_contents (little-endian; BYTES as 4-byte length-prefixed
 * elements, as in the Open Inference Protocol). INT64/UINT64 become bigints, BYTES UTF-8 strings.
 *
 * @throws {@link InvalidInputError} naming the tensor: unset or FP16/BF16 datatype, a shape
 * entry that is not a non-negative integer, data whose length does not fill the shape, both
 * contents and raw_contents set, an integer string that is not one, bytes that are not UTF-8.
 */
export function toInferenceTensor(wire: commonV1.Tensor): InferenceTensor {
  const datatype = oipDatatypeOfWire(wire.datatype);
  if (datatype === undefined) throw new InvalidInputError(wire.name, `datatype ${String(wire.datatype)} is not set or unknown`);
  return inferenceTensorOf({ name: wire.name, datatype, shape: wire.shape, contents: wire.contents, raw: wire.rawContents, rawField: 'raw_contents' });
}

/**
 * A runtime tensor as a wire tensor: shape and INT64/UINT64 elements as decimal strings,
 * BOOL as booleans, BYTES as UTF-8 buffers, in the contents member of its datatype.
 *
 * @throws RangeError for FP16/BF16 (the runtime never produces them).
 */
export function toWireTensor(name: string, tensor: InferenceTensor): commonV1.Tensor {
  return { name, datatype: wireDatatypeOf(tensor.datatype), shape: tensor.shape.map((dim) => String(dim)), contents: contentsOf(name, tensor), rawContents: Buffer.alloc(0) };
}

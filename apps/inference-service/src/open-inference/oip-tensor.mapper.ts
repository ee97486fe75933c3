import type { oipV1 } from '@strata/contracts';
import { type OipDatatype } from '@strata/onnx';

import { type InferenceTensor, InvalidInputError, type TensorValue } from '../model-runtime';

type ContentsMember = keyof oipV1.InferTensorContents;

interface DatatypeMapping {
  /** The InferTensorContents member carrying it; FP16/BF16 travel only as raw contents. */
  readonly member: ContentsMember | undefined;
  /** Bytes per element in raw contents; 0 for BYTES (length-prefixed). */
  readonly rawSize: number;
}

const MAPPINGS: Readonly<Record<OipDatatype, DatatypeMapping>> = {
  BOOL: { member: 'boolContents', rawSize: 1 },
  UINT8: { member: 'uintContents', rawSize: 1 },
  UINT16: { member: 'uintContents', rawSize: 2 },
  UINT32: { member: 'uintContents', rawSize: 4 },
  UINT64: { member: 'uint64Contents', rawSize: 8 },
  INT8: { member: 'intContents', rawSize: 1 },
  INT16: { member: 'intContents', rawSize: 2 },
  INT32: { member: 'intContents', rawSize: 4 },
  INT64: { member: 'int64Contents', rawSize: 8 },
  FP16: { member: undefined, rawSize: 2 },
  BF16: { member: undefined, rawSize: 2 },
  FP32: { member: 'fp32Contents', rawSize: 4 },
  FP64: { member: 'fp64Contents', rawSize: 8 },
  BYTES: { member: 'bytesContents', rawSize: 0 },
};

const CONTENTS_MEMBERS: readonly ContentsMember[] = ['boolContents', 'intContents', 'int64Contents', 'uintContents', 'uint64Contents', 'fp32Contents', 'fp64Contents', 'bytesContents'];

/** The protocol datatype named `name` (`FP32`, `INT64`, ...), or `undefined` for anything else. */
export function oipDatatypeOf(name: string): OipDatatype | undefined {
  return Object.prototype.hasOwnProperty.call(MAPPINGS, name) ? (name as OipDatatype) : undefined;
}

const INTEGER = /^-?\d+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

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
  const name = input.name;
  const datatype = oipDatatypeOf(input.datatype);
  if (datatype === undefined) throw new InvalidInputError(name, `datatype ${JSON.stringify(input.datatype)} is not an Open Inference Protocol datatype`);
  if (datatype === 'FP16' || datatype === 'BF16') throw new InvalidInputError(name, `datatype ${datatype} is not supported yet`);
  const shape = shapeOf(name, input.shape);
  const count = shape.reduce((product, dim) => product * dim, 1);
  const mapping = MAPPINGS[datatype];
  const contents = input.contents ?? undefined;
  const stray = CONTENTS_MEMBERS.find((member) => member !== mapping.member && (contents?.[member]?.length ?? 0) > 0);
  if (stray !== undefined) throw new InvalidInputError(name, `datatype ${datatype} is carried in ${snake(mapping.member)}, got ${snake(stray)}`);
  const typed = mapping.member === undefined ? [] : ((contents?.[mapping.member] as readonly unknown[] | undefined) ?? []);
  if (raw !== undefined && typed.length > 0) throw new InvalidInputError(name, 'has both contents and raw_input_contents; send one');
  const data = raw !== undefined ? fromRaw(name, datatype, raw, count) : fromContents(name, datatype, typed);
  if (data.length !== count) throw new InvalidInputError(name, `shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  return { datatype, shape, data };
}

/**
 * A runtime tensor as an Open Inference Protocol output tensor: shape and INT64/UINT64 elements
 * as decimal strings, BOOL as booleans, BYTES as UTF-8 buffers, in the contents member of its datatype.
 *
 * @throws RangeError for FP16/BF16 (the runtime never produces them).
 */
export function toOipOutput(name: string, tensor: InferenceTensor): oipV1.ModelInferResponse_InferOutputTensor {
  const mapping = MAPPINGS[tensor.datatype];
  if (mapping.member === undefined) throw new RangeError(`tensor "${name}": datatype ${tensor.datatype} cannot be sent yet`);
  const values = Array.from(tensor.data);
  const contents = emptyContents();
  switch (mapping.member) {
    case 'boolContents':
      contents.boolContents = values.map((value) => value === true || value === 1 || value === 1n);
      break;
    case 'int64Contents':
    case 'uint64Contents':
      contents[mapping.member] = values.map((value) => String(value));
      break;
    case 'bytesContents':
      contents.bytesContents = values.map((value) => Buffer.from(String(value), 'utf8'));
      break;
    default:
      contents[mapping.member] = values.map((value) => Number(value));
  }
  return { name, datatype: tensor.datatype, shape: tensor.shape.map((dim) => String(dim)), parameters: {}, contents };
}

function emptyContents(): oipV1.InferTensorContents {
  return { boolContents: [], intContents: [], int64Contents: [], uintContents: [], uint64Contents: [], fp32Contents: [], fp64Contents: [], bytesContents: [] };
}

function snake(member: ContentsMember | undefined): string {
  return member === undefined ? 'raw_input_contents only' : member.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function shapeOf(name: string, shape: readonly (string | number)[] | undefined): number[] {
  return (shape ?? []).map((entry, index) => {
    const dim = typeof entry === 'string' && /^\d+$/.test(entry) ? Number(entry) : entry;
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new InvalidInputError(name, `shape entry ${index} is ${JSON.stringify(entry)}, expected a non-negative integer`);
    }
    return dim;
  });
}

function fromContents(name: string, datatype: OipDatatype, values: readonly unknown[]): TensorValue[] {
  switch (datatype) {
    case 'INT64':
    case 'UINT64':
      return values.map((value, index) => {
        const text = String(value);
        if (!INTEGER.test(text)) throw new InvalidInputError(name, `value ${index} is ${JSON.stringify(text)}, expected an integer`);
        return BigInt(text);
      });
    case 'BYTES':
      return values.map((value, index) => utf8Of(name, index, value as Uint8Array));
    default:
      return values as TensorValue[];
  }
}

type RawReader = (view: DataView, offset: number) => TensorValue;

const RAW_READERS: Partial<Record<OipDatatype, RawReader>> = {
  BOOL: (view, offset) => view.getUint8(offset) !== 0,
  UINT8: (view, offset) => view.getUint8(offset),
  UINT16: (view, offset) => view.getUint16(offset, true),
  UINT32: (view, offset) => view.getUint32(offset, true),
  UINT64: (view, offset) => view.getBigUint64(offset, true),
  INT8: (view, offset) => view.getInt8(offset),
  INT16: (view, offset) => view.getInt16(offset, true),
  INT32: (view, offset) => view.getInt32(offset, true),
  INT64: (view, offset) => view.getBigInt64(offset, true),
  FP32: (view, offset) => view.getFloat32(offset, true),
  FP64: (view, offset) => view.getFloat64(offset, true),
};

function fromRaw(name: string, datatype: OipDatatype, raw: Uint8Array, count: number): TensorValue[] {
  if (datatype === 'BYTES') return bytesFromRaw(name, raw);
  const size = MAPPINGS[datatype].rawSize;
  if (raw.length !== count * size) throw new InvalidInputError(name, `raw_input_contents has ${raw.length} bytes, ${count} ${datatype} values need ${count * size}`);
  const read = RAW_READERS[datatype];
  if (read === undefined) throw new InvalidInputError(name, `datatype ${datatype} is not supported yet`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: count }, (_, index) => read(view, index * size));
}

// BYTES in raw contents: each element is a 4-byte little-endian length, then that many bytes.
function bytesFromRaw(name: string, raw: Uint8Array): string[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: string[] = [];
  let offset = 0;
  while (offset < raw.length) {
    if (offset + 4 > raw.length) throw new InvalidInputError(name, `raw_input_contents ends inside the length of element ${out.length}`);
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > raw.length) throw new InvalidInputError(name, `raw_input_contents ends inside element ${out.length}`);
    out.push(utf8Of(name, out.length, raw.subarray(offset, offset + length)));
    offset += length;
  }
  return out;
}

function utf8Of(name: string, index: number, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidInputError(name, `value ${index} is not valid UTF-8`);
  }
}

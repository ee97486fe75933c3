import type { commonV1 } from '@strata/contracts';
import { type OipDatatype } from '@strata/onnx';

import { type InferenceTensor, InvalidInputError, type TensorValue } from '../model-runtime';

/**
 * Tensor contents as both wire formats carry them: `strata.common.v1.TensorContents` and the
 * Open Inference Protocol's `InferTensorContents` have the same members (and generated types),
 * plus raw little-endian bytes. The two mappers (predict/tensor.mapper.ts, open-inference/)
 * differ only in their envelopes.
 */
export type TensorContents = commonV1.TensorContents;

/** A contents member. */
export type ContentsMember = keyof TensorContents;

/** Every contents member, in proto order. */
export const CONTENTS_MEMBERS: readonly ContentsMember[] = ['boolContents', 'intContents', 'int64Contents', 'uintContents', 'uint64Contents', 'fp32Contents', 'fp64Contents', 'bytesContents'];

interface Layout {
  /** The contents member carrying the datatype; FP16/BF16 travel only as raw bytes. */
  readonly member: ContentsMember | undefined;
  /** Bytes per element in raw contents; 0 for BYTES (length-prefixed). */
  readonly rawSize: number;
}

const LAYOUTS: Readonly<Record<OipDatatype, Layout>> = {
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

/** The protocol datatypes (`FP32`, `INT64`, ...). */
export const OIP_DATATYPES = Object.keys(LAYOUTS) as OipDatatype[];

/** The contents member of a datatype (undefined for FP16/BF16). */
export function contentsMemberOf(datatype: OipDatatype): ContentsMember | undefined {
  return LAYOUTS[datatype].member;
}

const INTEGER = /^-?\d+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Where a tensor's values come from in a request: its typed contents or its raw bytes (named as the protocol names the field). */
export interface TensorSource {
  readonly name: string;
  readonly datatype: OipDatatype;
  readonly shape: readonly (string | number)[] | undefined;
  readonly contents: Partial<TensorContents> | null | undefined;
  readonly raw?: Uint8Array | undefined;
  /** `raw_contents` or `raw_input_contents`, for messages. */
  readonly rawField: string;
}

/**
 * A request tensor as the model runtime's {@link InferenceTensor}: the contents member of its
 * datatype (values in any other member are refused) or its raw bytes (little-endian; BYTES as
 * 4-byte length-prefixed elements, as in the Open Inference Protocol). INT64/UINT64 become
 * bigints, BYTES UTF-8 strings.
 *
 * @throws {@link InvalidInputError} naming the tensor.
 */
export function inferenceTensorOf(source: TensorSource): InferenceTensor {
  const { name, datatype, rawField } = source;
  if (datatype === 'FP16' || datatype === 'BF16') throw new InvalidInputError(name, `datatype ${datatype} is not supported yet`);
  const shape = shapeOf(name, source.shape);
  const count = shape.reduce((product, dim) => product * dim, 1);
  const member = LAYOUTS[datatype].member;
  const stray = CONTENTS_MEMBERS.find((other) => other !== member && (source.contents?.[other]?.length ?? 0) > 0);
  if (stray !== undefined) throw new InvalidInputError(name, `datatype ${datatype} is carried in ${snake(member)}, got ${snake(stray)}`);
  const typed = member === undefined ? [] : ((source.contents?.[member] as readonly unknown[] | undefined) ?? []);
  const raw = source.raw !== undefined && source.raw.length > 0 ? source.raw : undefined;
  if (raw !== undefined && typed.length > 0) throw new InvalidInputError(name, `has both contents and ${rawField}; send one`);
  const data = raw !== undefined ? fromRaw(name, datatype, raw, count, rawField) : fromContents(name, datatype, typed);
  if (data.length !== count) throw new InvalidInputError(name, `shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  if (datatype === 'FP32' || datatype === 'FP64') refuseNonFinite(name, datatype, data, raw !== undefined ? rawField : `contents.${snake(member)}`);
  return { datatype, shape, data };
}

/**
 * A float element that is NaN, Infinity or -Infinity. No datatype accepts them in a request: a
 * JSON number beyond the float range (`1e400`) parses as Infinity, and a model fed one answers
 * garbage instead of an error. Missing values travel as `null` feature values in rows.
 */
export class NonFiniteElementError extends InvalidInputError {
  constructor(
    tensorName: string,
    /** The element's path below the tensor, e.g. `contents.fp32_contents[3]`. */
    readonly element: string,
    detail: string,
  ) {
    super(tensorName, detail);
  }
}

/** The request path an {@link InvalidInputError} names: `inputs[<name>]`, down to the element for a non-finite one. */
export function inputFieldOf(error: InvalidInputError): string {
  return error instanceof NonFiniteElementError ? `inputs[${error.field}].${error.element}` : `inputs[${error.field}]`;
}

function refuseNonFinite(name: string, datatype: OipDatatype, data: readonly TensorValue[], member: string): void {
  const index = data.findIndex((value) => !Number.isFinite(value));
  if (index < 0) return;
  const value = String(data[index]);
  throw new NonFiniteElementError(name, `${member}[${index}]`, `${member}[${index}] is ${value}: ${datatype} elements must be finite numbers (NaN, Infinity and -Infinity are refused)`);
}

/**
 * A runtime tensor's values in the contents member of its datatype (every other member empty):
 * INT64/UINT64 as decimal strings, BOOL as booleans, BYTES as UTF-8 buffers.
 *
 * @throws RangeError for FP16/BF16 (the runtime never produces them).
 */
export function contentsOf(name: string, tensor: InferenceTensor): TensorContents {
  const member = LAYOUTS[tensor.datatype].member;
  if (member === undefined) throw new RangeError(`tensor "${name}": datatype ${tensor.datatype} cannot be sent yet`);
  const values = Array.from(tensor.data);
  const contents: TensorContents = { boolContents: [], intContents: [], int64Contents: [], uintContents: [], uint64Contents: [], fp32Contents: [], fp64Contents: [], bytesContents: [] };
  switch (member) {
    case 'boolContents':
      contents.boolContents = values.map((value) => value === true || value === 1 || value === 1n);
      break;
    case 'int64Contents':
    case 'uint64Contents':
      contents[member] = values.map((value) => String(value));
      break;
    case 'bytesContents':
      contents.bytesContents = values.map((value) => Buffer.from(String(value), 'utf8'));
      break;
    default:
      contents[member] = values.map((value) => Number(value));
  }
  return contents;
}

function snake(member: ContentsMember | undefined): string {
  return member === undefined ? 'raw contents only' : member.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
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

function fromRaw(name: string, datatype: OipDatatype, raw: Uint8Array, count: number, rawField: string): TensorValue[] {
  if (datatype === 'BYTES') return bytesFromRaw(name, raw, rawField);
  const size = LAYOUTS[datatype].rawSize;
  if (raw.length !== count * size) throw new InvalidInputError(name, `${rawField} has ${raw.length} bytes, ${count} ${datatype} values need ${count * size}`);
  const read = RAW_READERS[datatype];
  if (read === undefined) throw new InvalidInputError(name, `datatype ${datatype} is not supported yet`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: count }, (_, index) => read(view, index * size));
}

// BYTES in raw contents: each element is a 4-byte little-endian length, then that many bytes.
function bytesFromRaw(name: string, raw: Uint8Array, rawField: string): string[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: string[] = [];
  let offset = 0;
  while (offset < raw.length) {
    if (offset + 4 > raw.length) throw new InvalidInputError(name, `${rawField} ends inside the length of element ${out.length}`);
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > raw.length) throw new InvalidInputError(name, `${rawField} ends inside element ${out.length}`);
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

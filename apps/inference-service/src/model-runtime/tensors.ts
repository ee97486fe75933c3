import { type OipDatatype, type TensorSpec } from '@strata/onnx';
import { Tensor } from 'onnxruntime-node';

import { InvalidInputError } from './model-runtime.errors';

/** One element of a request or response tensor: numbers, bigints (INT64/UINT64), booleans (BOOL), strings (BYTES). */
export type TensorValue = number | bigint | boolean | string;

/** A tensor as the Open Inference Protocol carries it: datatype, shape and row-major data. */
export interface InferenceTensor {
  datatype: OipDatatype;
  shape: number[];
  data: ArrayLike<TensorValue>;
}

type Encoder = (data: ArrayLike<TensorValue>) => Tensor['data'];

/** Reads element `index` as an integer in [min, max], or says what was wrong. */
function integerAt(data: ArrayLike<TensorValue>, index: number, min: number, max: number): number {
  const value = data[index];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`value ${index} is ${describe(value)}, expected an integer in [${min}, ${max}]`);
  }
  return value;
}

function bigIntegerAt(data: ArrayLike<TensorValue>, index: number, min: bigint, max: bigint): bigint {
  const value = data[index];
  const big = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (big === undefined || big < min || big > max) throw new RangeError(`value ${index} is ${describe(value)}, expected an integer in [${min}, ${max}]`);
  return big;
}

function integers<T extends Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array>(
  create: (length: number) => T,
  min: number,
  max: number,
): Encoder {
  return (data) => {
    const out = create(data.length);
    for (let index = 0; index < data.length; index++) out[index] = integerAt(data, index, min, max);
    return out;
  };
}

function bigIntegers<T extends BigInt64Array | BigUint64Array>(create: (length: number) => T, min: bigint, max: bigint): Encoder {
  return (data) => {
    const out = create(data.length);
    for (let index = 0; index < data.length; index++) out[index] = bigIntegerAt(data, index, min, max);
    return out;
  };
}

function floats<T extends Float32Array | Float64Array>(create: (length: number) => T): Encoder {
  return (data) => {
    const out = create(data.length);
    for (let index = 0; index < data.length; index++) {
      const value = data[index];
      if (typeof value !== 'number') throw new RangeError(`value ${index} is ${describe(value)}, expected a number`);
      out[index] = value;
    }
    return out;
  };
}

const encodeBooleans: Encoder = (data) => {
  const out = new Uint8Array(data.length);
  for (let index = 0; index < data.length; index++) {
    const value = data[index];
    if (typeof value !== 'boolean' && value !== 0 && value !== 1) throw new RangeError(`value ${index} is ${describe(value)}, expected a boolean`);
    out[index] = value === true || value === 1 ? 1 : 0;
  }
  return out;
};

const encodeStrings: Encoder = (data) => {
  const out: string[] = new Array<string>(data.length);
  for (let index = 0; index < data.length; index++) {
    const value = data[index];
    if (typeof value !== 'string') throw new RangeError(`value ${index} is ${describe(value)}, expected a string`);
    out[index] = value;
  }
  return out;
};

interface DatatypeCodec {
  ortType: Tensor.Type;
  encode: Encoder;
  zero: TensorValue;
}

// FP16 and BF16 are left out: onnxruntime-node has no BF16 tensors and FP16 needs a half-float
// codec; models using them are refused at load rather than served wrongly.
const CODECS: Partial<Record<OipDatatype, DatatypeCodec>> = {
  BOOL: { ortType: 'bool', encode: encodeBooleans, zero: false },
  UINT8: { ortType: 'uint8', encode: integers((n) => new Uint8Array(n), 0, 0xff), zero: 0 },
  INT8: { ortType: 'int8', encode: integers((n) => new Int8Array(n), -0x80, 0x7f), zero: 0 },
  UINT16: { ortType: 'uint16', encode: integers((n) => new Uint16Array(n), 0, 0xffff), zero: 0 },
  INT16: { ortType: 'int16', encode: integers((n) => new Int16Array(n), -0x8000, 0x7fff), zero: 0 },
  UINT32: { ortType: 'uint32', encode: integers((n) => new Uint32Array(n), 0, 0xffffffff), zero: 0 },
  INT32: { ortType: 'int32', encode: integers((n) => new Int32Array(n), -0x80000000, 0x7fffffff), zero: 0 },
  UINT64: { ortType: 'uint64', encode: bigIntegers((n) => new BigUint64Array(n), 0n, 2n ** 64n - 1n), zero: 0n },
  INT64: { ortType: 'int64', encode: bigIntegers((n) => new BigInt64Array(n), -(2n ** 63n), 2n ** 63n - 1n), zero: 0n },
  FP32: { ortType: 'float32', encode: floats((n) => new Float32Array(n)), zero: 0 },
  FP64: { ortType: 'float64', encode: floats((n) => new Float64Array(n)), zero: 0 },
  BYTES: { ortType: 'string', encode: encodeStrings, zero: '' },
};

const DATATYPE_BY_ORT_TYPE = new Map<string, OipDatatype>(
  Object.entries(CODECS).map(([datatype, codec]) => [codec.ortType, datatype as OipDatatype]),
);

/** True when this runtime can feed and read tensors of the datatype. */
export function isServableDatatype(datatype: OipDatatype): boolean {
  return CODECS[datatype] !== undefined;
}

function codecOf(datatype: OipDatatype): DatatypeCodec {
  const codec = CODECS[datatype];
  if (codec === undefined) throw new RangeError(`datatype ${datatype} is not supported`);
  return codec;
}

/** `FP32 [batch, 5]`: a dynamic first dimension reads as `batch`, other dynamic ones as `?`. */
export function describeSpec(spec: TensorSpec): string {
  if (spec.unknownRank) return `${spec.datatype} (any shape)`;
  const dims = spec.shape.map((dim, index) => (dim >= 0 ? String(dim) : index === 0 ? 'batch' : '?'));
  return `${spec.datatype} [${dims.join(', ')}]`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

function isShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((dim) => typeof dim === 'number' && Number.isSafeInteger(dim) && dim >= 0);
}

function shapeMatches(spec: TensorSpec, shape: readonly number[]): boolean {
  if (spec.unknownRank) return true;
  return shape.length === spec.shape.length && spec.shape.every((dim, index) => dim < 0 || dim === shape[index]);
}

/**
 * Checks one request input against its signature entry and turns it into an onnxruntime tensor.
 *
 * @throws {@link InvalidInputError} naming the input and what was expected: wrong datatype,
 * rank or fixed dimension, a data length that does not fill the shape, more than `maxBatchRows`
 * rows (first dimension), or a value that does not fit the datatype.
 */
export function toOrtTensor(spec: TensorSpec, input: InferenceTensor, maxBatchRows: number): Tensor {
  const expected = describeSpec(spec);
  const { datatype, shape, data } = input;
  if (!isShape(shape)) {
    throw new InvalidInputError(spec.name, `expected ${expected}, got a shape that is not a list of sizes (${describe(JSON.stringify(shape))})`);
  }
  const got = `${String(datatype)} [${shape.join(', ')}]`;
  if (datatype !== spec.datatype || !shapeMatches(spec, shape)) throw new InvalidInputError(spec.name, `expected ${expected}, got ${got}`);
  const rows = shape[0];
  if (rows !== undefined && rows > maxBatchRows) {
    throw new InvalidInputError(spec.name, `expected at most ${maxBatchRows} rows, got ${rows} (shape [${shape.join(', ')}])`);
  }
  const count = shape.reduce((product, dim) => product * dim, 1);
  const length = (data as ArrayLike<TensorValue> | undefined)?.length;
  if (length !== count) {
    throw new InvalidInputError(spec.name, `shape [${shape.join(', ')}] needs ${count} values, got ${length ?? 'no data'}`);
  }
  const codec = codecOf(spec.datatype);
  try {
    return new Tensor(codec.ortType, codec.encode(data), shape);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(spec.name, `expected ${spec.datatype} values, but ${detail}`);
  }
}

/** A zero-filled tensor for warm-up: dynamic dimensions are 1, an undeclared rank is one value. */
export function zeroTensor(spec: TensorSpec): Tensor {
  const shape = spec.unknownRank ? [1] : spec.shape.map((dim) => (dim < 0 ? 1 : dim));
  const count = shape.reduce((product, dim) => product * dim, 1);
  const codec = codecOf(spec.datatype);
  return new Tensor(codec.ortType, codec.encode(new Array<TensorValue>(count).fill(codec.zero)), shape);
}

/** An onnxruntime output as a protocol tensor; BOOL data comes back as booleans. */
export function fromOrtTensor(name: string, tensor: Tensor): InferenceTensor {
  const datatype = DATATYPE_BY_ORT_TYPE.get(tensor.type);
  if (datatype === undefined) throw new RangeError(`output "${name}" has type ${tensor.type}, which this runtime cannot return`);
  const data = datatype === 'BOOL' ? Array.from(tensor.data as Uint8Array, (value) => value !== 0) : (tensor.data as ArrayLike<TensorValue>);
  return { datatype, shape: [...tensor.dims], data };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse, type Type } from 'protobufjs';

// The official ONNX schema is vendored as data (schema/onnx.proto3) and parsed once, on first
// use. The service build copies schema/ next to the compiled code, so __dirname works in both
// Jest (sources) and dist/<service>/libs/onnx/src.
let modelProtoType: Type | undefined;

/** The protobufjs type of `onnx.ModelProto`, parsed from the vendored schema on first use. */
export function modelProto(): Type {
  if (modelProtoType === undefined) {
    const text = readFileSync(join(__dirname, 'schema', 'onnx.proto3'), 'utf8');
    const { root } = parse(text);
    root.resolveAll();
    modelProtoType = root.lookupType('onnx.ModelProto');
  }
  return modelProtoType;
}

/** `onnx.TensorProto.DataType` codes (schema/onnx.proto3). */
export const OnnxDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

/** `onnx.TensorProto.DataLocation.EXTERNAL`. */
export const EXTERNAL_DATA_LOCATION = 1;

/** `onnx.AttributeProto.AttributeType` codes used by the builder. */
export const OnnxAttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

// The decoded ModelProto as plain objects (`toObject` with longs and enums as numbers, camelCase
// field names, no defaults, repeated fields always present as arrays, oneof discriminators on).
// Only the parts this library reads are typed; everything is optional because proto3 omits defaults.

export interface StringStringEntry {
  key?: string;
  value?: string;
}

export interface TensorMessage {
  name?: string;
  dims: number[];
  dataType?: number;
  dataLocation?: number;
  externalData: StringStringEntry[];
}

export interface SparseTensorMessage {
  values?: TensorMessage;
  indices?: TensorMessage;
}

export interface AttributeMessage {
  t?: TensorMessage;
  g?: GraphMessage;
  sparseTensor?: SparseTensorMessage;
  tensors: TensorMessage[];
  graphs: GraphMessage[];
  sparseTensors: SparseTensorMessage[];
}

export interface NodeMessage {
  opType?: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
}

export interface DimensionMessage {
  dimValue?: number;
  dimParam?: string;
  value?: 'dimValue' | 'dimParam';
}

export interface TypeMessage {
  tensorType?: { elemType?: number; shape?: { dim: DimensionMessage[] } };
  value?: 'tensorType' | 'sequenceType' | 'mapType' | 'optionalType' | 'sparseTensorType';
}

export interface ValueInfoMessage {
  name?: string;
  type?: TypeMessage;
}

export interface GraphMessage {
  node: NodeMessage[];
  initializer: TensorMessage[];
  sparseInitializer: SparseTensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
}

export interface OperatorSetIdMessage {
  domain?: string;
  version?: number;
}

export interface FunctionMessage {
  domain?: string;
  node: NodeMessage[];
  opsetImport: OperatorSetIdMessage[];
}

export interface ModelMessage {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  opsetImport: OperatorSetIdMessage[];
  graph?: GraphMessage;
  functions: FunctionMessage[];
}

/** Decodes ModelProto bytes into plain objects; throws whatever protobufjs throws on bad bytes. */
export function decodeModelMessage(bytes: Uint8Array): ModelMessage {
  const type = modelProto();
  const message = type.decode(bytes);
  return type.toObject(message, { longs: Number, enums: Number, arrays: true, oneofs: true }) as ModelMessage;
}

/** Encodes a plain ModelProto object (camelCase field names) into bytes. */
export function encodeModelMessage(model: Record<string, unknown>): Uint8Array {
  const type = modelProto();
  const problem = type.verify(model);
  if (problem !== null) throw new TypeError(`not a valid onnx.ModelProto: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

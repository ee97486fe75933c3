import { type OipDatatype, onnxDataTypeOf } from './datatypes';
import { encodeModelMessage, EXTERNAL_DATA_LOCATION, OnnxAttributeType } from './onnx-schema';

/** The ONNX IR version {@link OnnxGraphBuilder.build} writes unless told otherwise (ONNX 1.13+). */
export const DEFAULT_IR_VERSION = 8;
/** The default-domain opset the builder imports when no opset is added. */
export const DEFAULT_OPSET_VERSION = 17;

/** One dimension of a declared shape: a size (>= 0), `-1` (unknown) or a name (a dynamic `dim_param`, e.g. `'batch'`). */
export type OnnxDim = number | string;

/** A graph input or output. */
export interface OnnxValueSpec {
  name: string;
  datatype: OipDatatype;
  shape: readonly OnnxDim[];
}

/** Where an initializer's bytes live when they are outside the model file (ONNX external data). */
export interface OnnxExternalDataRef {
  /** Path relative to the model file. */
  location: string;
  offset?: number;
  length?: number;
}

/**
 * A constant tensor (initializer or tensor attribute), in row-major order. Numbers for numeric
 * datatypes (bigints also for INT64/UINT64), booleans or 0/1 for BOOL, strings for BYTES.
 * FP16 and BF16 are not supported by the builder. With `externalData` instead of `values`, the
 * tensor points at an external file (for tests of readers that must refuse such models).
 */
export type OnnxTensorInit = {
  name: string;
  datatype: OipDatatype;
  dims: readonly number[];
} & ({ values: ArrayLike<number | bigint | boolean | string> } | { externalData: OnnxExternalDataRef });

/** A node attribute; the type is explicit because JavaScript numbers do not say int or float. */
export type OnnxAttribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'strings'; value: readonly string[] }
  | { type: 'tensor'; value: OnnxTensorInit };

/** One operator call. `domain` defaults to the standard ONNX domain (`''`). */
export interface OnnxNodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** Model-level fields written by {@link OnnxGraphBuilder.build}. */
export interface OnnxModelOptions {
  /** Defaults to {@link DEFAULT_IR_VERSION}. */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Written as `metadata_props` (e.g. the training job or feature contract). */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Builds an ONNX model (`onnx.ModelProto` bytes) from inputs, outputs, initializers, nodes and
 * opset imports. It checks what it encodes (tensor sizes and values) but not the graph itself:
 * {@link checkOnnxModelRuns} is the proof that a runtime accepts the result.
 *
 * @example
 * const bytes = new OnnxGraphBuilder('double')
 *   .addInput({ name: 'x', datatype: 'FP32', shape: ['batch', 3] })
 *   .addInitializer({ name: 'two', datatype: 'FP32', dims: [], values: [2] })
 *   .addNode({ opType: 'Mul', inputs: ['x', 'two'], outputs: ['y'] })
 *   .addOutput({ name: 'y', datatype: 'FP32', shape: ['batch', 3] })
 *   .build({ producerName: 'strata' });
 */
export class OnnxGraphBuilder {
  private readonly inputs: OnnxValueSpec[] = [];
  private readonly outputs: OnnxValueSpec[] = [];
  private readonly initializers: OnnxTensorInit[] = [];
  private readonly nodes: OnnxNodeSpec[] = [];
  private readonly opsets = new Map<string, number>();

  constructor(private readonly graphName = 'main') {}

  /** Declares a graph input. */
  addInput(input: OnnxValueSpec): this {
    this.inputs.push(input);
    return this;
  }

  /** Declares a graph output. */
  addOutput(output: OnnxValueSpec): this {
    this.outputs.push(output);
    return this;
  }

  /** Adds a constant tensor the nodes can read by name. */
  addInitializer(tensor: OnnxTensorInit): this {
    this.initializers.push(tensor);
    return this;
  }

  /** Appends a node; nodes must be added in topological order. */
  addNode(node: OnnxNodeSpec): this {
    this.nodes.push(node);
    return this;
  }

  /** Imports an operator set (`''` is the standard ONNX domain). Without any, opset 17 of `''` is imported. */
  addOpset(domain: string, version: number): this {
    this.opsets.set(domain, version);
    return this;
  }

  /** Encodes the model. */
  build(options: OnnxModelOptions = {}): Uint8Array {
    const opsets = this.opsets.size > 0 ? [...this.opsets] : [['', DEFAULT_OPSET_VERSION] as const];
    return encodeModelMessage({
      irVersion: options.irVersion ?? DEFAULT_IR_VERSION,
      producerName: options.producerName ?? '',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      opsetImport: opsets.map(([domain, version]) => ({ domain, version })),
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
        initializer: this.initializers.map(tensorMessage),
        node: this.nodes.map(nodeMessage),
      },
    });
  }
}

function valueInfo(value: OnnxValueSpec): Record<string, unknown> {
  return {
    name: value.name,
    type: {
      tensorType: {
        elemType: onnxDataTypeOf(value.datatype),
        shape: { dim: value.shape.map(dimension) },
      },
    },
  };
}

function dimension(dim: OnnxDim): Record<string, unknown> {
  if (typeof dim === 'string') return { dimParam: dim };
  if (dim === -1) return {};
  if (!Number.isSafeInteger(dim) || dim < 0) throw new RangeError(`a dimension must be >= 0, -1 or a name, got ${dim}`);
  return { dimValue: dim };
}

function nodeMessage(node: OnnxNodeSpec): Record<string, unknown> {
  return {
    opType: node.opType,
    domain: node.domain ?? '',
    name: node.name ?? '',
    input: [...node.inputs],
    output: [...node.outputs],
    attribute: Object.entries(node.attributes ?? {}).map(([name, attribute]) => attributeMessage(name, attribute)),
  };
}

function attributeMessage(name: string, attribute: OnnxAttribute): Record<string, unknown> {
  switch (attribute.type) {
    case 'int':
      return { name, type: OnnxAttributeType.INT, i: safeInteger(attribute.value, name) };
    case 'float':
      return { name, type: OnnxAttributeType.FLOAT, f: attribute.value };
    case 'string':
      return { name, type: OnnxAttributeType.STRING, s: utf8(attribute.value) };
    case 'ints':
      return { name, type: OnnxAttributeType.INTS, ints: attribute.value.map((value) => safeInteger(value, name)) };
    case 'floats':
      return { name, type: OnnxAttributeType.FLOATS, floats: [...attribute.value] };
    case 'strings':
      return { name, type: OnnxAttributeType.STRINGS, strings: attribute.value.map(utf8) };
    case 'tensor':
      return { name, type: OnnxAttributeType.TENSOR, t: tensorMessage(attribute.value) };
  }
}

function safeInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what}: expected an integer, got ${value}`);
  return value;
}

function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

function tensorMessage(tensor: OnnxTensorInit): Record<string, unknown> {
  const dims = tensor.dims.map((dim) => {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new RangeError(`tensor "${tensor.name}": dimension ${dim} is not a size`);
    return dim;
  });
  const base = { name: tensor.name, dataType: onnxDataTypeOf(tensor.datatype), dims };
  if ('externalData' in tensor) {
    const { location, offset, length } = tensor.externalData;
    const entries = [{ key: 'location', value: location }];
    if (offset !== undefined) entries.push({ key: 'offset', value: String(offset) });
    if (length !== undefined) entries.push({ key: 'length', value: String(length) });
    return { ...base, dataLocation: EXTERNAL_DATA_LOCATION, externalData: entries };
  }
  const count = dims.reduce((product, dim) => product * dim, 1);
  if (tensor.values.length !== count) {
    throw new RangeError(`tensor "${tensor.name}": dims [${dims.join(', ')}] need ${count} values, got ${tensor.values.length}`);
  }
  const values = Array.from(tensor.values);
  if (tensor.datatype === 'BYTES') {
    return { ...base, stringData: values.map((value) => utf8(expectString(value, tensor.name))) };
  }
  return { ...base, rawData: rawData(tensor.datatype, values, tensor.name) };
}

function expectString(value: unknown, tensorName: string): string {
  if (typeof value !== 'string') throw new TypeError(`tensor "${tensorName}": BYTES values must be strings, got ${typeof value}`);
  return value;
}

type Writer = (view: DataView, offset: number, value: number | bigint | boolean | string) => void;

// Little-endian fixed-width encodings, as ONNX raw_data requires.
const RAW_WRITERS: Partial<Record<OipDatatype, { width: number; write: Writer }>> = {
  BOOL: { width: 1, write: (view, offset, value) => view.setUint8(offset, boolean(value) ? 1 : 0) },
  UINT8: { width: 1, write: (view, offset, value) => view.setUint8(offset, integer(value, 0, 0xff)) },
  INT8: { width: 1, write: (view, offset, value) => view.setInt8(offset, integer(value, -0x80, 0x7f)) },
  UINT16: { width: 2, write: (view, offset, value) => view.setUint16(offset, integer(value, 0, 0xffff), true) },
  INT16: { width: 2, write: (view, offset, value) => view.setInt16(offset, integer(value, -0x8000, 0x7fff), true) },
  UINT32: { width: 4, write: (view, offset, value) => view.setUint32(offset, integer(value, 0, 0xffffffff), true) },
  INT32: { width: 4, write: (view, offset, value) => view.setInt32(offset, integer(value, -0x80000000, 0x7fffffff), true) },
  UINT64: { width: 8, write: (view, offset, value) => view.setBigUint64(offset, bigInteger(value, 0n, 2n ** 64n - 1n), true) },
  INT64: { width: 8, write: (view, offset, value) => view.setBigInt64(offset, bigInteger(value, -(2n ** 63n), 2n ** 63n - 1n), true) },
  FP32: { width: 4, write: (view, offset, value) => view.setFloat32(offset, float(value), true) },
  FP64: { width: 8, write: (view, offset, value) => view.setFloat64(offset, float(value), true) },
};

function rawData(datatype: OipDatatype, values: (number | bigint | boolean | string)[], tensorName: string): Uint8Array {
  const writer = RAW_WRITERS[datatype];
  if (writer === undefined) throw new RangeError(`tensor "${tensorName}": the builder cannot encode ${datatype} values`);
  const bytes = new Uint8Array(values.length * writer.width);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => {
    try {
      writer.write(view, index * writer.width, value);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new RangeError(`tensor "${tensorName}" value ${index}: ${detail}`, { cause: error });
    }
  });
  return bytes;
}

function boolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw new TypeError(`expected a boolean or 0/1, got ${String(value)}`);
}

function integer(value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`expected an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function bigInteger(value: unknown, min: bigint, max: bigint): bigint {
  const big = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (big === undefined || big < min || big > max) throw new RangeError(`expected an integer in [${min}, ${max}], got ${String(value)}`);
  return big;
}

function float(value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`expected a number, got ${typeof value}`);
  return value;
}

import { type OipDatatype, oipDatatypeOf } from './datatypes';
import { InvalidOnnxModelError } from './invalid-onnx-model.error';
import {
  decodeModelMessage,
  EXTERNAL_DATA_LOCATION,
  type GraphMessage,
  type ModelMessage,
  modelProto,
  type NodeMessage,
  type SparseTensorMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './onnx-schema';

/** One model input or output as a client of the Open Inference Protocol sees it. */
export interface TensorSpec {
  /** The graph value name, used as the tensor name in inference requests. */
  name: string;
  /** The Open Inference Protocol datatype (`FP32`, `INT64`, `BYTES`, ...). */
  datatype: OipDatatype;
  /**
   * The dimensions, `-1` for a dynamic one (a named `dim_param` or no value). Empty for a
   * scalar, and also when the model declares no shape at all (then `unknownRank` is true).
   */
  shape: number[];
  /** True when the model does not declare the rank, so any shape may be accepted. */
  unknownRank: boolean;
}

/** An operator set the model imports; `domain` is `''` for the default ONNX domain. */
export interface OnnxOpset {
  domain: string;
  version: number;
}

/** What {@link inspectOnnxModel} reads from a model file. */
export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: OnnxOpset[];
  /** Graph inputs that are not initializers, in graph order. */
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Dense and sparse initializers of the main graph. */
  initializerCount: number;
  /** Nodes of the main graph (not counting subgraphs or functions). */
  nodeCount: number;
  /** True when any tensor (initializer, constant attribute, subgraph) keeps its data in an external file. */
  usesExternalData: boolean;
  /**
   * Operator domains other than the standard ones (`''`, `ai.onnx`, `ai.onnx.ml`), from the
   * opset imports and every node (subgraphs and model-local functions included), sorted.
   */
  customDomains: string[];
}

const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml']);

/**
 * Decodes an ONNX model (`onnx.ModelProto` bytes) and returns its signature and what a server
 * must know before loading it. Reads only the file: it does not prove the graph runs (see
 * {@link checkOnnxModelRuns}).
 *
 * @throws {@link InvalidOnnxModelError} when the bytes are not a ModelProto or lack what every
 * servable model has (graph, ir_version, opset_import, tensor inputs and outputs). Never throws
 * anything else, whatever the bytes.
 */
export function inspectOnnxModel(bytes: Uint8Array): OnnxModelInfo {
  if (bytes.length === 0) throw new InvalidOnnxModelError('empty', 'the file is empty');
  const model = decode(bytes);
  const graph = model.graph;
  if (graph === undefined) throw new InvalidOnnxModelError('missing-graph', 'the model has no graph');
  if (!(model.irVersion !== undefined && model.irVersion > 0)) {
    throw new InvalidOnnxModelError('missing-ir-version', 'the model has no ir_version');
  }
  if (model.opsetImport.length === 0) {
    throw new InvalidOnnxModelError('missing-opset-import', 'the model imports no operator set (opset_import is empty)');
  }

  const initializerNames = new Set([
    ...graph.initializer.map((tensor) => tensor.name ?? ''),
    ...graph.sparseInitializer.map((sparse) => sparse.values?.name ?? ''),
  ]);
  const modelInputs = graph.input.filter((input) => !initializerNames.has(input.name ?? ''));
  if (modelInputs.length === 0) throw new InvalidOnnxModelError('no-inputs', 'the graph has no inputs other than initializers');
  if (graph.output.length === 0) throw new InvalidOnnxModelError('no-outputs', 'the graph has no outputs');

  return {
    irVersion: model.irVersion,
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    opsets: model.opsetImport.map((opset) => ({ domain: opset.domain ?? '', version: opset.version ?? 0 })),
    inputs: modelInputs.map((input) => tensorSpec(input, 'input')),
    outputs: graph.output.map((output) => tensorSpec(output, 'output')),
    initializerCount: graph.initializer.length + graph.sparseInitializer.length,
    nodeCount: graph.node.length,
    usesExternalData: [...graphTensors(graph), ...model.functions.flatMap((fn) => fn.node.flatMap(nodeTensors))].some(isExternal),
    customDomains: customDomains(model),
  };
}

function decode(bytes: Uint8Array): ModelMessage {
  // Load the schema outside the try: a missing schema file is a broken build, not a bad model.
  modelProto();
  try {
    return decodeModelMessage(bytes);
  } catch (error) {
    // protobufjs throws plain Errors and RangeErrors (and deep nesting can overflow the stack).
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidOnnxModelError('not-protobuf', `the bytes are not an onnx.ModelProto (${detail})`, { cause: error });
  }
}

function tensorSpec(value: ValueInfoMessage, role: 'input' | 'output'): TensorSpec {
  const name = value.name ?? '';
  const type = value.type;
  if (type === undefined) throw new InvalidOnnxModelError('non-tensor-io', `${role} "${name}" has no type`);
  const tensorType = type.tensorType;
  if (type.value !== 'tensorType' || tensorType === undefined) {
    const kind = type.value === undefined ? 'no type' : `a ${type.value.replace(/Type$/, '')} type`;
    throw new InvalidOnnxModelError('non-tensor-io', `${role} "${name}" has ${kind}, not a tensor type`);
  }
  const elemType = tensorType.elemType ?? 0;
  const datatype = oipDatatypeOf(elemType);
  if (datatype === undefined) {
    throw new InvalidOnnxModelError(
      'unsupported-datatype',
      `${role} "${name}" has element type ${elemType}, which has no Open Inference Protocol datatype`,
    );
  }
  const shape = tensorType.shape;
  if (shape === undefined) return { name, datatype, shape: [], unknownRank: true };
  return {
    name,
    datatype,
    shape: shape.dim.map((dim) => (dim.value === 'dimValue' && dim.dimValue !== undefined && dim.dimValue >= 0 ? dim.dimValue : -1)),
    unknownRank: false,
  };
}

function isExternal(tensor: TensorMessage): boolean {
  return tensor.dataLocation === EXTERNAL_DATA_LOCATION || tensor.externalData.length > 0;
}

/** Every tensor stored in a graph: initializers, constant attributes, and the same in subgraphs. */
function graphTensors(graph: GraphMessage): TensorMessage[] {
  const tensors: TensorMessage[] = [...graph.initializer, ...graph.sparseInitializer.flatMap(sparseParts)];
  for (const node of graph.node) tensors.push(...nodeTensors(node));
  return tensors;
}

function nodeTensors(node: NodeMessage): TensorMessage[] {
  const tensors: TensorMessage[] = [];
  for (const attribute of node.attribute) {
    if (attribute.t !== undefined) tensors.push(attribute.t);
    tensors.push(...attribute.tensors);
    if (attribute.sparseTensor !== undefined) tensors.push(...sparseParts(attribute.sparseTensor));
    tensors.push(...attribute.sparseTensors.flatMap(sparseParts));
  }
  for (const subgraph of subgraphsOf(node)) tensors.push(...graphTensors(subgraph));
  return tensors;
}

function sparseParts(sparse: SparseTensorMessage): TensorMessage[] {
  return [sparse.values, sparse.indices].filter((tensor): tensor is TensorMessage => tensor !== undefined);
}

function subgraphsOf(node: NodeMessage): GraphMessage[] {
  return node.attribute.flatMap((attribute) => (attribute.g === undefined ? attribute.graphs : [attribute.g, ...attribute.graphs]));
}

function customDomains(model: ModelMessage): string[] {
  const domains = new Set<string>();
  const addNodes = (nodes: NodeMessage[]): void => {
    for (const node of nodes) {
      domains.add(node.domain ?? '');
      for (const subgraph of subgraphsOf(node)) addNodes(subgraph.node);
    }
  };
  for (const opset of model.opsetImport) domains.add(opset.domain ?? '');
  if (model.graph !== undefined) addNodes(model.graph.node);
  for (const fn of model.functions) {
    for (const opset of fn.opsetImport) domains.add(opset.domain ?? '');
    addNodes(fn.node);
  }
  return [...domains].filter((domain) => !STANDARD_DOMAINS.has(domain)).sort();
}

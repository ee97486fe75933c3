import { buildLinearModel, type LinearModelSpec } from './linear-model';
import { inspectOnnxModel } from './inspect-onnx-model';
import { InvalidOnnxModelError, type InvalidOnnxModelReason } from './invalid-onnx-model.error';
import { OnnxGraphBuilder } from './onnx-graph-builder';
import { encodeModelMessage, OnnxDataType } from './onnx-schema';

function aLinearModel(overrides: Partial<LinearModelSpec> = {}): Uint8Array {
  return buildLinearModel({
    weights: [[0.5], [-1.25], [2]],
    bias: [0.25],
    featureCount: 3,
    activation: 'sigmoid',
    inputName: 'features',
    outputName: 'probability',
    producer: { name: 'strata-test', version: '1.2.3' },
    ...overrides,
  });
}

const floatTensor = (dims: object[]) => ({ tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: dims } } });

/** A minimal ModelProto as plain protobuf fields; each test breaks one part of it. */
function aModelMessage(overrides: Record<string, unknown> = {}, graphOverrides: Record<string, unknown> = {}): Uint8Array {
  return encodeModelMessage({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      input: [{ name: 'x', type: floatTensor([{ dimValue: 2 }]) }],
      output: [{ name: 'y', type: floatTensor([{ dimValue: 2 }]) }],
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      ...graphOverrides,
    },
    ...overrides,
  });
}

function reasonOf(bytes: Uint8Array): InvalidOnnxModelReason | 'accepted' {
  try {
    inspectOnnxModel(bytes);
    return 'accepted';
  } catch (error) {
    if (error instanceof InvalidOnnxModelError) return error.reason;
    throw error;
  }
}

/** mulberry32: a small seeded PRNG, so fuzz failures reproduce. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe(inspectOnnxModel.name, () => {
  it('reads the signature, producer, opsets and counts of a linear model', () => {
    expect(inspectOnnxModel(aLinearModel())).toEqual({
      irVersion: 8,
      producerName: 'strata-test',
      producerVersion: '1.2.3',
      opsets: [{ domain: '', version: 17 }],
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 3], unknownRank: false }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1], unknownRank: false }],
      initializerCount: 2,
      nodeCount: 3,
      usesExternalData: false,
      customDomains: [],
    });
  });

  it('does not list initializers as inputs when the graph also declares them as inputs', () => {
    const bytes = new OnnxGraphBuilder()
      .addInput({ name: 'x', datatype: 'FP64', shape: [-1, 2] })
      .addInput({ name: 'w', datatype: 'FP64', shape: [2, 1] })
      .addInitializer({ name: 'w', datatype: 'FP64', dims: [2, 1], values: [1, 2] })
      .addNode({ opType: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] })
      .addOutput({ name: 'y', datatype: 'FP64', shape: [-1, 1] })
      .build();

    const info = inspectOnnxModel(bytes);

    expect(info.inputs.map((input) => input.name)).toEqual(['x']);
    expect(info.inputs[0]!.datatype).toBe('FP64');
    expect(info.initializerCount).toBe(1);
  });

  it('maps ONNX element types to Open Inference Protocol datatypes', () => {
    const builder = new OnnxGraphBuilder();
    const datatypes = ['BOOL', 'UINT8', 'INT8', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
    for (const datatype of datatypes) {
      builder.addInput({ name: `in_${datatype}`, datatype, shape: [1] }).addOutput({ name: `out_${datatype}`, datatype, shape: [1] });
    }

    const info = inspectOnnxModel(builder.build());

    expect(info.inputs.map((input) => input.datatype)).toEqual(datatypes);
    expect(info.outputs.map((output) => output.datatype)).toEqual(datatypes);
  });

  it('reports named and unknown dimensions as -1 and a missing shape as unknown rank', () => {
    const bytes = aModelMessage(
      {},
      {
        input: [
          { name: 'x', type: floatTensor([{ dimParam: 'batch' }, {}, { dimValue: 0 }, { dimValue: 7 }]) },
          { name: 'scalar', type: floatTensor([]) },
        ],
        output: [{ name: 'y', type: { tensorType: { elemType: OnnxDataType.INT64 } } }],
      },
    );

    const info = inspectOnnxModel(bytes);

    expect(info.inputs).toEqual([
      { name: 'x', datatype: 'FP32', shape: [-1, -1, 0, 7], unknownRank: false },
      { name: 'scalar', datatype: 'FP32', shape: [], unknownRank: false },
    ]);
    expect(info.outputs).toEqual([{ name: 'y', datatype: 'INT64', shape: [], unknownRank: true }]);
  });

  it('reports an initializer stored in an external file', () => {
    const bytes = new OnnxGraphBuilder()
      .addInput({ name: 'x', datatype: 'FP32', shape: ['batch', 2] })
      .addInitializer({ name: 'w', datatype: 'FP32', dims: [2, 1], externalData: { location: 'weights.bin', offset: 0, length: 8 } })
      .addNode({ opType: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] })
      .addOutput({ name: 'y', datatype: 'FP32', shape: ['batch', 1] })
      .build();

    expect(inspectOnnxModel(bytes).usesExternalData).toBe(true);
  });

  it('reports external data referenced only by external_data entries or inside a subgraph', () => {
    const externalTensor = { name: 'c', dataType: OnnxDataType.FLOAT, dims: [1], externalData: [{ key: 'location', value: 'c.bin' }] };
    const thenBranch = { name: 'then', output: [{ name: 'c_out', type: floatTensor([{ dimValue: 1 }]) }], initializer: [externalTensor] };
    const bytes = aModelMessage(
      {},
      {
        node: [{ opType: 'If', input: ['x'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: thenBranch }] }],
      },
    );

    expect(inspectOnnxModel(bytes).usesExternalData).toBe(true);
    expect(inspectOnnxModel(aModelMessage()).usesExternalData).toBe(false);
  });

  it('reports custom operator domains from opset imports and nodes, not the standard ones', () => {
    const bytes = new OnnxGraphBuilder()
      .addOpset('', 17)
      .addOpset('ai.onnx.ml', 3)
      .addOpset('com.example.ops', 1)
      .addInput({ name: 'x', datatype: 'FP32', shape: [-1, 2] })
      .addNode({ opType: 'Fancy', domain: 'com.example.ops', inputs: ['x'], outputs: ['h'] })
      .addNode({ opType: 'FusedThing', domain: 'com.microsoft', inputs: ['h'], outputs: ['y'] })
      .addNode({ opType: 'Relu', domain: 'ai.onnx', inputs: ['y'], outputs: ['z'] })
      .addOutput({ name: 'z', datatype: 'FP32', shape: [-1, 2] })
      .build();

    const info = inspectOnnxModel(bytes);

    expect(info.customDomains).toEqual(['com.example.ops', 'com.microsoft']);
    expect(info.opsets).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
      { domain: 'com.example.ops', version: 1 },
    ]);
  });

  it.each<[string, Uint8Array, InvalidOnnxModelReason]>([
    ['empty bytes', new Uint8Array(), 'empty'],
    ['a JSON file', Buffer.from(JSON.stringify({ model: 'linear', weights: [[1, 2]], bias: [0] }), 'utf8'), 'not-protobuf'],
    ['a model without a graph', aModelMessage({ graph: undefined }), 'missing-graph'],
    ['a model without ir_version', aModelMessage({ irVersion: 0 }), 'missing-ir-version'],
    ['a model without opset_import', aModelMessage({ opsetImport: [] }), 'missing-opset-import'],
    ['a graph without inputs', aModelMessage({}, { input: [] }), 'no-inputs'],
    [
      'a graph whose only input is an initializer',
      aModelMessage({}, { initializer: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: [2], floatData: [1, 2] }] }),
      'no-inputs',
    ],
    ['a graph without outputs', aModelMessage({}, { output: [] }), 'no-outputs'],
    ['an input without a type', aModelMessage({}, { input: [{ name: 'x' }] }), 'non-tensor-io'],
    [
      'a sequence input',
      aModelMessage({}, { input: [{ name: 'x', type: { sequenceType: { elemType: floatTensor([]) } } }] }),
      'non-tensor-io',
    ],
    [
      'a map output',
      aModelMessage({}, { output: [{ name: 'y', type: { mapType: { keyType: OnnxDataType.INT64, valueType: floatTensor([]) } } }] }),
      'non-tensor-io',
    ],
    [
      'a complex64 input',
      aModelMessage({}, { input: [{ name: 'x', type: { tensorType: { elemType: 14, shape: { dim: [] } } } }] }),
      'unsupported-datatype',
    ],
    [
      'an input of undefined element type',
      aModelMessage({}, { input: [{ name: 'x', type: { tensorType: { shape: { dim: [] } } } }] }),
      'unsupported-datatype',
    ],
  ])('throws InvalidOnnxModelError for %s', (_what, bytes, reason) => {
    expect(reasonOf(bytes)).toBe(reason);
  });

  it('says what is wrong in the message and keeps the decoder error as the cause', () => {
    let thrown: unknown;
    try {
      inspectOnnxModel(Buffer.from('{"not":"onnx"}'));
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(InvalidOnnxModelError);
    expect((thrown as InvalidOnnxModelError).message).toMatch(/^invalid ONNX model \(not-protobuf\): the bytes are not an onnx\.ModelProto \(.+\)$/);
    expect((thrown as InvalidOnnxModelError).name).toBe('InvalidOnnxModelError');
    expect((thrown as InvalidOnnxModelError).cause).toBeInstanceOf(Error);
  });

  it('refuses every truncation of a valid model with InvalidOnnxModelError only', () => {
    const bytes = aLinearModel();
    const outcomes = new Set<string>();
    for (let length = 1; length < bytes.length; length += 1) outcomes.add(reasonOf(bytes.subarray(0, length)));

    expect(outcomes.has('accepted')).toBe(false);
    expect(outcomes.has('not-protobuf')).toBe(true);
  });

  it('never throws anything but InvalidOnnxModelError on seeded random bytes or mutated models', () => {
    const random = seededRandom(20_240_601);
    const model = aLinearModel();
    const outcomes = new Set<string>();
    for (let round = 0; round < 2_000; round += 1) {
      const mutated = round % 2 === 0;
      const bytes = mutated ? Uint8Array.from(model) : new Uint8Array(1 + Math.floor(random() * 256));
      if (mutated) {
        const flips = 1 + Math.floor(random() * 4);
        for (let flip = 0; flip < flips; flip += 1) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      } else {
        for (let index = 0; index < bytes.length; index += 1) bytes[index] = Math.floor(random() * 256);
      }
      outcomes.add(reasonOf(bytes)); // rethrows anything that is not InvalidOnnxModelError
    }

    expect(outcomes.has('not-protobuf')).toBe(true);
  });
});

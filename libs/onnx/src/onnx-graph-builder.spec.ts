import { DEFAULT_IR_VERSION, DEFAULT_OPSET_VERSION, OnnxGraphBuilder, type OnnxTensorInit } from './onnx-graph-builder';
import { modelProto } from './onnx-schema';

interface DecodedTensor {
  name: string;
  dataType: number;
  dims: number[];
  rawData?: Uint8Array;
  stringData: Uint8Array[];
  dataLocation?: number;
  externalData: { key: string; value: string }[];
}

interface DecodedAttribute {
  name: string;
  type: number;
  s?: Uint8Array;
  strings: Uint8Array[];
}

interface DecodedModel {
  irVersion: number;
  opsetImport: unknown[];
  producerName: string;
  producerVersion: string;
  metadataProps: unknown[];
  graph: {
    name: string;
    input: { type: { tensorType: unknown } }[];
    initializer: DecodedTensor[];
    node: { attribute: DecodedAttribute[] }[];
  };
}

/** Decodes with protobufjs directly, so the test does not trust the library's own reader. */
function decode(bytes: Uint8Array): DecodedModel {
  const type = modelProto();
  return type.toObject(type.decode(bytes), { longs: Number, enums: Number, arrays: true, oneofs: true }) as DecodedModel;
}

function oneInitializer(tensor: OnnxTensorInit): DecodedTensor {
  const bytes = new OnnxGraphBuilder().addInitializer(tensor).build();
  return decode(bytes).graph.initializer[0]!;
}

describe(OnnxGraphBuilder.name, () => {
  it('writes the default IR version and opset, the producer and metadata', () => {
    const model = decode(new OnnxGraphBuilder('g').build({ producerName: 'trainer', producerVersion: '2', metadata: { job: 'j-1' } }));

    expect(model.irVersion).toBe(DEFAULT_IR_VERSION);
    expect(model.opsetImport).toEqual([{ domain: '', version: DEFAULT_OPSET_VERSION }]);
    expect(model.producerName).toBe('trainer');
    expect(model.producerVersion).toBe('2');
    expect(model.metadataProps).toEqual([{ key: 'job', value: 'j-1' }]);
    expect(model.graph.name).toBe('g');
  });

  it('writes dimensions as sizes, named parameters or unknown', () => {
    const model = decode(new OnnxGraphBuilder().addInput({ name: 'x', datatype: 'INT64', shape: ['batch', -1, 4] }).build());

    expect(model.graph.input[0]!.type.tensorType).toEqual({ elemType: 7, shape: { dim: [{ dimParam: 'batch', value: 'dimParam' }, {}, { dimValue: 4, value: 'dimValue' }] } });
  });

  it('writes numeric initializers as little-endian raw data', () => {
    const fp32 = oneInitializer({ name: 'w', datatype: 'FP32', dims: [2, 2], values: [1, -2.5, 0.125, 3] });
    const int64 = oneInitializer({ name: 'i', datatype: 'INT64', dims: [2], values: [-1, 2n ** 40n] });
    const bool = oneInitializer({ name: 'b', datatype: 'BOOL', dims: [3], values: [true, false, 1] });

    expect(fp32.dims).toEqual([2, 2]);
    expect(Array.from(new Float32Array(Uint8Array.from(fp32.rawData!).buffer))).toEqual([1, -2.5, 0.125, 3]);
    expect(Array.from(new BigInt64Array(Uint8Array.from(int64.rawData!).buffer))).toEqual([-1n, 2n ** 40n]);
    expect(Array.from(bool.rawData!)).toEqual([1, 0, 1]);
  });

  it('writes BYTES initializers as string data and scalars with no dims', () => {
    const strings = oneInitializer({ name: 's', datatype: 'BYTES', dims: [2], values: ['a', 'ß'] });
    const scalar = oneInitializer({ name: 'k', datatype: 'FP64', dims: [], values: [0.5] });

    expect(strings.stringData.map((value) => Buffer.from(value).toString('utf8'))).toEqual(['a', 'ß']);
    expect(scalar.dims).toEqual([]);
    expect(new Float64Array(Uint8Array.from(scalar.rawData!).buffer)[0]).toBe(0.5);
  });

  it('writes an external-data reference instead of values', () => {
    const tensor = oneInitializer({ name: 'w', datatype: 'FP32', dims: [4], externalData: { location: 'w.bin', offset: 0, length: 16 } });

    expect(tensor.dataLocation).toBe(1);
    expect(tensor.externalData).toEqual([
      { key: 'location', value: 'w.bin' },
      { key: 'offset', value: '0' },
      { key: 'length', value: '16' },
    ]);
    expect(tensor.rawData).toBeUndefined();
  });

  it('writes nodes with typed attributes', () => {
    const model = decode(
      new OnnxGraphBuilder()
        .addNode({
          opType: 'Gemm',
          name: 'gemm',
          inputs: ['a', 'b'],
          outputs: ['c'],
          attributes: {
            transB: { type: 'int', value: 1 },
            alpha: { type: 'float', value: 0.5 },
            mode: { type: 'string', value: 'fast' },
            axes: { type: 'ints', value: [0, 1] },
            weights: { type: 'floats', value: [0.25] },
            labels: { type: 'strings', value: ['no', 'yes'] },
            value: { type: 'tensor', value: { name: 't', datatype: 'INT32', dims: [1], values: [7] } },
          },
        })
        .build(),
    );
    const attributes = Object.fromEntries(model.graph.node[0]!.attribute.map((attribute) => [attribute.name, attribute]));

    expect(model.graph.node[0]).toMatchObject({ opType: 'Gemm', name: 'gemm', input: ['a', 'b'], output: ['c'] });
    expect(attributes.transB).toMatchObject({ type: 2, i: 1 });
    expect(attributes.alpha).toMatchObject({ type: 1, f: 0.5 });
    expect(Buffer.from(attributes.mode!.s!).toString()).toBe('fast');
    expect(attributes.axes).toMatchObject({ type: 7, ints: [0, 1] });
    expect(attributes.weights).toMatchObject({ type: 6, floats: [0.25] });
    expect(attributes.labels!.strings.map((value) => Buffer.from(value).toString())).toEqual(['no', 'yes']);
    expect(attributes.value).toMatchObject({ type: 4, t: { name: 't', dataType: 6, dims: [1] } });
  });

  it.each<[string, OnnxTensorInit, RegExp]>([
    ['too few values', { name: 'w', datatype: 'FP32', dims: [2, 3], values: [1, 2] }, /dims \[2, 3\] need 6 values, got 2/],
    ['an out-of-range UINT8', { name: 'u', datatype: 'UINT8', dims: [1], values: [256] }, /value 0: expected an integer in \[0, 255\]/],
    ['a fractional INT32', { name: 'i', datatype: 'INT32', dims: [1], values: [1.5] }, /expected an integer/],
    ['an FP16 tensor', { name: 'h', datatype: 'FP16', dims: [1], values: [1] }, /cannot encode FP16/],
    ['a negative dimension', { name: 'n', datatype: 'FP32', dims: [-1], values: [] }, /dimension -1 is not a size/],
  ])('refuses to encode %s', (_what, tensor, message) => {
    expect(() => new OnnxGraphBuilder().addInitializer(tensor).build()).toThrow(message);
  });

  it('refuses a fractional dimension in a declared shape', () => {
    expect(() => new OnnxGraphBuilder().addInput({ name: 'x', datatype: 'FP32', shape: [1.5] }).build()).toThrow(RangeError);
  });
});

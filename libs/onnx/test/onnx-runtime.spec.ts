import { InferenceSession, Tensor } from 'onnxruntime-node';

import { buildLinearModel, checkOnnxModelRuns, InvalidOnnxModelError, type InvalidOnnxModelReason, OnnxGraphBuilder } from '../src';

const WEIGHTS = [
  [0.5, -1.25],
  [2, 0.75],
  [-0.125, 1.5],
  [1, -0.5],
];
const BIAS = [0.25, -1];
const ROWS = [
  [0, 0, 0, 0],
  [1, 2, 3, 4],
  [-1.5, 0.25, 2, -3],
  [10, -10, 0.5, 7],
];

/** The model's arithmetic in TypeScript (float64), with the weights rounded to float32 like the model stores them. */
function expectedScores(rows: number[][], sigmoid: boolean): number[] {
  return rows.flatMap((row) =>
    BIAS.map((bias, output) => {
      const score = row.reduce((sum, x, feature) => sum + Math.fround(x) * Math.fround(WEIGHTS[feature]![output]!), Math.fround(bias));
      return sigmoid ? 1 / (1 + Math.exp(-score)) : score;
    }),
  );
}

async function runModel(bytes: Uint8Array, inputName: string, rows: number[][]): Promise<Float32Array> {
  const session = await InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const input = new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]);
    const results = await session.run({ [inputName]: input });
    const output = results[session.outputNames[0]!]!;
    expect(output.dims).toEqual([rows.length, BIAS.length]);
    return output.data as Float32Array;
  } finally {
    await session.release();
  }
}

async function rejectionOf(bytes: Uint8Array): Promise<InvalidOnnxModelError> {
  const error = await checkOnnxModelRuns(bytes).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof InvalidOnnxModelError)) throw new Error(`expected InvalidOnnxModelError, got ${String(error)}`);
  return error;
}

/** x -> Relu -> y with one extra node; each test breaks the graph in one way. */
function aGraph(configure: (builder: OnnxGraphBuilder) => OnnxGraphBuilder): Uint8Array {
  const builder = new OnnxGraphBuilder().addInput({ name: 'x', datatype: 'FP32', shape: ['batch', 2] }).addOutput({ name: 'y', datatype: 'FP32', shape: ['batch', 2] });
  return configure(builder).build();
}

describe('ONNX models in onnxruntime-node', () => {
  it.each([
    ['linear + sigmoid', true],
    ['linear', false],
  ])('computes the expected numbers with a %s model', async (_what, sigmoid) => {
    const bytes = buildLinearModel({ weights: WEIGHTS, bias: BIAS, featureCount: 4, activation: sigmoid ? 'sigmoid' : 'none', inputName: 'features', outputName: 'scores' });

    const actual = Array.from(await runModel(bytes, 'features', ROWS));

    const expected = expectedScores(ROWS, sigmoid);
    expect(actual).toHaveLength(expected.length);
    actual.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThanOrEqual(1e-6));
  });

  it('accepts a model the runtime can load', async () => {
    await expect(checkOnnxModelRuns(buildLinearModel({ weights: WEIGHTS, bias: BIAS, featureCount: 4, activation: 'sigmoid' }))).resolves.toBeUndefined();
  });

  it.each<[string, Uint8Array, InvalidOnnxModelReason, RegExp]>([
    [
      'a node reading a value nobody produces',
      aGraph((b) => b.addNode({ opType: 'Add', inputs: ['x', 'missing'], outputs: ['y'] })),
      'runtime-rejected',
      /onnxruntime refused to load it: .*missing/,
    ],
    ['an unknown operator', aGraph((b) => b.addNode({ opType: 'NoSuchOp', inputs: ['x'], outputs: ['y'] })), 'runtime-rejected', /NoSuchOp/],
    [
      'an operator from an unregistered custom domain',
      aGraph((b) => b.addOpset('', 17).addOpset('com.example', 1).addNode({ opType: 'Fancy', domain: 'com.example', inputs: ['x'], outputs: ['y'] })),
      'runtime-rejected',
      /com\.example|Fancy/,
    ],
    [
      'an initializer in an external file',
      aGraph((b) =>
        b
          .addInitializer({ name: 'w', datatype: 'FP32', dims: [2], externalData: { location: '../../etc/passwd' } })
          .addNode({ opType: 'Add', inputs: ['x', 'w'], outputs: ['y'] }),
      ),
      'external-data',
      /external files/,
    ],
    ['random bytes', Uint8Array.from([8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x3a]), 'not-protobuf', /not an onnx\.ModelProto/],
    ['empty bytes', new Uint8Array(), 'empty', /empty/],
  ])('rejects %s', async (_what, bytes, reason, message) => {
    const error = await rejectionOf(bytes);

    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(message);
  });
});

import { inspectOnnxModel } from './inspect-onnx-model';
import { buildLinearModel, type LinearModelSpec } from './linear-model';
import { modelProto } from './onnx-schema';

function aLinearSpec(overrides: Partial<LinearModelSpec> = {}): LinearModelSpec {
  return { weights: [[1, 2], [3, 4], [5, 6]], bias: [0.5, -0.5], featureCount: 3, ...overrides };
}

function opTypes(bytes: Uint8Array): string[] {
  const type = modelProto();
  const model = type.toObject(type.decode(bytes), { arrays: true }) as { graph: { node: { opType: string }[] } };
  return model.graph.node.map((node) => node.opType);
}

describe(buildLinearModel.name, () => {
  it('builds MatMul and Add with input [-1, features] and output [-1, outputs]', () => {
    const bytes = buildLinearModel(aLinearSpec());
    const info = inspectOnnxModel(bytes);

    expect(opTypes(bytes)).toEqual(['MatMul', 'Add']);
    expect(info.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 3], unknownRank: false }]);
    expect(info.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [-1, 2], unknownRank: false }]);
    expect(info).toMatchObject({ irVersion: 8, opsets: [{ domain: '', version: 17 }], producerName: 'strata', initializerCount: 2 });
  });

  it('adds a Sigmoid with activation sigmoid and takes a producer name', () => {
    const bytes = buildLinearModel(aLinearSpec({ activation: 'sigmoid', producer: 'training-runner' }));

    expect(opTypes(bytes)).toEqual(['MatMul', 'Add', 'Sigmoid']);
    expect(inspectOnnxModel(bytes)).toMatchObject({ producerName: 'training-runner', producerVersion: '' });
  });

  it.each<[string, Partial<LinearModelSpec>, RegExp]>([
    ['featureCount differs from the weight rows', { featureCount: 2 }, /weights must have featureCount=2 rows, got 3/],
    ['a weight row is short', { weights: [[1, 2], [3], [5, 6]] }, /weights row 1 has 1 values, expected 2/],
    ['the bias is empty', { bias: [], weights: [[], [], []] }, /bias must have one value per output/],
    ['a weight is not finite', { weights: [[1, 2], [3, Number.NaN], [5, 6]] }, /finite/],
    ['input and output share a name', { inputName: 'x', outputName: 'x' }, /must differ/],
    ['an input name collides with an internal value', { inputName: 'linear.weights' }, /cannot name a model input/],
    ['featureCount is zero', { featureCount: 0, weights: [] }, /featureCount must be a positive integer/],
  ])('refuses a spec where %s', (_what, overrides, message) => {
    expect(() => buildLinearModel(aLinearSpec(overrides))).toThrow(message);
  });
});

import { OnnxGraphBuilder } from '@strata/onnx';

import { matrixOf } from '../shared/matrix';
import { MODEL_INPUT } from '../shared/trainer';
import { maxAbsoluteDifference, runOnnxModel } from './onnx-session.fixtures';
import { Standardizer } from './standardizer';
import { StandardizerGraph } from './standardizer-graph';

const x = matrixOf([
  [1, 10, 5, Number.NaN],
  [2, Number.NaN, 5, Number.NaN],
  [3, 30, 5, Number.NaN],
  [Number.NaN, 20, 5, Number.NaN],
]);

function graphOf(standardizer: Standardizer, nodes: 'imputer' | 'standardization'): Uint8Array {
  const builder = new OnnxGraphBuilder('standardizer').addOpset('', 17).addInput({ name: MODEL_INPUT, datatype: 'FP32', shape: ['batch', x.cols] });
  const graph = new StandardizerGraph(standardizer);
  const names = { input: MODEL_INPUT, output: 'out', prefix: 'std.' };
  if (nodes === 'imputer') graph.addImputer(builder, names);
  else graph.addStandardization(builder, names);
  return builder.addOutput({ name: 'out', datatype: 'FP32', shape: ['batch', x.cols] }).build({ producerName: 'test' });
}

describe(Standardizer.name, () => {
  it('fits means and population standard deviations ignoring NaN when values are missing', () => {
    const standardizer = Standardizer.fitOn(x);

    expect(Array.from(standardizer.means)).toEqual([2, 20, 5, 0]);
    expect(standardizer.scales[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(standardizer.scales[1]).toBeCloseTo(Math.sqrt(200 / 3), 12);
  });

  it('uses std 1 when a column is constant or entirely missing', () => {
    const standardizer = Standardizer.fitOn(x);

    expect([standardizer.scales[2], standardizer.scales[3]]).toEqual([1, 1]);
  });

  it('standardizes to zero mean and unit variance and maps NaN to 0 when transforming', () => {
    const standardized = Standardizer.fitOn(x).transform(x);

    expect(standardized.values[0]).toBeCloseTo(-1 / Math.sqrt(2 / 3), 12);
    expect(standardized.values[1 * 4 + 1]).toBe(0);
    expect(standardized.values[3 * 4 + 0]).toBe(0);
    expect(Array.from(standardized.values.filter((_, index) => index % 4 >= 2))).toEqual(new Array(8).fill(0));
  });

  it('refuses a matrix with another number of columns', () => {
    expect(() => Standardizer.fitOn(x).transform(matrixOf([[1, 2]]))).toThrow(RangeError);
  });
});

describe(StandardizerGraph.name, () => {
  it('replaces NaN by the column mean in onnxruntime when exported as an Imputer', async () => {
    const graph = new StandardizerGraph(Standardizer.fitOn(x));

    const output = await runOnnxModel(graphOf(Standardizer.fitOn(x), 'imputer'), x, 'out');

    expect(Array.from(output)).toEqual(Array.from(graph.impute(x)));
    expect(output[3 * 4 + 0]).toBe(2);
    expect(output[1 * 4 + 1]).toBe(20);
  });

  it('computes exactly what onnxruntime computes when exported as Imputer, Sub and Mul', async () => {
    const standardizer = Standardizer.fitOn(x);
    const odd = matrixOf([
      [0.1, 1e6, -3.3, 7],
      [Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    ]);

    const output = await runOnnxModel(graphOf(standardizer, 'standardization'), odd, 'out');

    expect(maxAbsoluteDifference(output, new StandardizerGraph(standardizer).standardize(odd))).toBe(0);
    expect(Array.from(output.subarray(4))).toEqual([0, 0, 0, 0]);
  });
});

import type { InferenceTensor } from '../model-runtime/tensors';
import { compareOutputs } from './output-comparison';

function aTensor(overrides: Partial<InferenceTensor> = {}): InferenceTensor {
  return { datatype: 'FP32', shape: [2, 3], data: [0.1, 0.7, 0.2, 0.5, 0.3, 0.2], ...overrides };
}

describe(compareOutputs.name, () => {
  it('agrees on every row when outputs are identical', () => {
    const outputs = { probabilities: aTensor() };
    expect(compareOutputs(outputs, outputs)).toEqual({ rows: 2, agreeingRows: 2, absDiffSum: 0, comparedElements: 6 });
  });

  it('compares the arg-max of the last dimension for class scores', () => {
    const primary = { probabilities: aTensor() };
    // row 0: same winner (column 1) with different scores; row 1: winner moves from column 0 to 2
    const candidate = { probabilities: aTensor({ data: [0.2, 0.6, 0.2, 0.3, 0.3, 0.4] }) };
    const result = compareOutputs(primary, candidate);
    expect(result.rows).toBe(2);
    expect(result.agreeingRows).toBe(1);
    expect(result.comparedElements).toBe(6);
    expect(result.absDiffSum).toBeCloseTo(0.1 + 0.1 + 0 + 0.2 + 0 + 0.2, 10);
  });

  it('compares the side of 0.5 for single-column scores in [0, 1]', () => {
    const primary = { score: aTensor({ shape: [3, 1], data: [0.49, 0.51, 0.9] }) };
    const candidate = { score: aTensor({ shape: [3, 1], data: [0.1, 0.99, 0.4] }) };
    // 0.49/0.1 below, 0.51/0.99 above, 0.9/0.4 on opposite sides
    expect(compareOutputs(primary, candidate)).toMatchObject({ rows: 3, agreeingRows: 2 });
  });

  it('compares other floats within a relative 1e-6', () => {
    const primary = { value: aTensor({ shape: [3], data: [1000, 1000, -2] }) };
    const candidate = { value: aTensor({ shape: [3], data: [1000.0005, 1000.01, -2] }) };
    expect(compareOutputs(primary, candidate)).toMatchObject({ rows: 3, agreeingRows: 2 });
  });

  it('requires integer, bool and string labels to be equal, across number and bigint', () => {
    const primary = {
      label: { datatype: 'INT64', shape: [3], data: [1n, 2n, 3n] },
      flag: { datatype: 'BOOL', shape: [3], data: [true, false, true] },
      name: { datatype: 'BYTES', shape: [3], data: ['a', 'b', 'c'] },
    } satisfies Record<string, InferenceTensor>;
    const candidate = {
      label: { datatype: 'INT64', shape: [3], data: [1, 2n, 3n] },
      flag: { datatype: 'BOOL', shape: [3], data: [true, false, false] },
      name: { datatype: 'BYTES', shape: [3], data: ['a', 'x', 'c'] },
    } satisfies Record<string, InferenceTensor>;
    // row 0 agrees everywhere; row 1 differs on name; row 2 on flag
    expect(compareOutputs(primary, candidate)).toEqual({ rows: 3, agreeingRows: 1, absDiffSum: 0, comparedElements: 0 });
  });

  it('needs every common output to agree for a row to agree, and ignores outputs only one side has', () => {
    const primary = {
      label: { datatype: 'INT64', shape: [2], data: [1n, 0n] },
      probabilities: aTensor({ shape: [2, 2], data: [0.2, 0.8, 0.6, 0.4] }),
      extra: aTensor(),
    } satisfies Record<string, InferenceTensor>;
    const candidate = {
      label: { datatype: 'INT64', shape: [2], data: [1n, 1n] },
      probabilities: aTensor({ shape: [2, 2], data: [0.3, 0.7, 0.6, 0.4] }),
    } satisfies Record<string, InferenceTensor>;
    expect(compareOutputs(primary, candidate)).toMatchObject({ rows: 2, agreeingRows: 1, comparedElements: 4 });
  });

  it('makes every row disagree when shapes differ, without throwing', () => {
    const primary = { probabilities: aTensor() };
    const candidate = { probabilities: aTensor({ shape: [3, 2] }) };
    expect(compareOutputs(primary, candidate)).toEqual({ rows: 2, agreeingRows: 0, absDiffSum: 0, comparedElements: 0 });
  });

  it('makes every row disagree when a float output becomes a label or the data does not fill the shape', () => {
    const primary = { out: aTensor() };
    expect(compareOutputs(primary, { out: aTensor({ datatype: 'INT32', data: [0, 1, 0, 1, 0, 0] }) }).agreeingRows).toBe(0);
    expect(compareOutputs(primary, { out: aTensor({ data: [0.1, 0.7] }) })).toMatchObject({ rows: 2, agreeingRows: 0 });
  });

  it('still measures the difference of the outputs that match when another one does not', () => {
    const primary = { a: aTensor(), b: aTensor() };
    const candidate = { a: aTensor({ data: [0.2, 0.7, 0.2, 0.5, 0.3, 0.2] }), b: aTensor({ shape: [6] }) };
    const result = compareOutputs(primary, candidate);
    expect(result).toMatchObject({ rows: 2, agreeingRows: 0, comparedElements: 6 });
    expect(result.absDiffSum).toBeCloseTo(0.1, 10);
  });

  it('makes every row disagree when no output is common', () => {
    expect(compareOutputs({ a: aTensor() }, { b: aTensor() })).toEqual({ rows: 2, agreeingRows: 0, absDiffSum: 0, comparedElements: 0 });
    expect(compareOutputs({}, {})).toEqual({ rows: 0, agreeingRows: 0, absDiffSum: 0, comparedElements: 0 });
  });

  it('compares every arg-max of a sequence output', () => {
    // [1 row, 2 steps, 2 classes]: the second step's winner changes
    const primary = { tokens: aTensor({ shape: [1, 2, 2], data: [0.9, 0.1, 0.2, 0.8] }) };
    const candidate = { tokens: aTensor({ shape: [1, 2, 2], data: [0.9, 0.1, 0.8, 0.2] }) };
    expect(compareOutputs(primary, candidate).agreeingRows).toBe(0);
    expect(compareOutputs(primary, primary).agreeingRows).toBe(1);
  });

  it('judges an output without the batch dimension as a whole for every row', () => {
    const primary = { probabilities: aTensor(), bias: aTensor({ shape: [1], data: [3] }) };
    const candidate = { probabilities: aTensor(), bias: aTensor({ shape: [1], data: [4] }) };
    expect(compareOutputs(primary, candidate)).toMatchObject({ rows: 2, agreeingRows: 0, comparedElements: 7, absDiffSum: 1 });
  });

  it('leaves non-finite values out of the difference and lets NaN agree only with NaN', () => {
    const primary = { value: aTensor({ shape: [2], data: [Number.NaN, 5] }) };
    const candidate = { value: aTensor({ shape: [2], data: [Number.NaN, 5] }) };
    expect(compareOutputs(primary, candidate)).toEqual({ rows: 2, agreeingRows: 2, absDiffSum: 0, comparedElements: 1 });
    expect(compareOutputs(primary, { value: aTensor({ shape: [2], data: [1, 5] }) }).agreeingRows).toBe(1);
  });

  it('handles typed-array data as onnxruntime returns it', () => {
    const primary = { probabilities: aTensor({ data: Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2]) }) };
    const candidate = { probabilities: aTensor({ data: Float64Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2]) }) };
    expect(compareOutputs(primary, candidate).agreeingRows).toBe(2);
  });
});

import type { oipV1 } from '@strata/contracts';

import { InvalidInputError } from '../model-runtime';
import { inputFieldOf, NonFiniteElementError } from '../predict/tensor-values';
import { fromOipInput, toOipOutput } from './oip-tensor.mapper';

const input = (overrides: Partial<oipV1.ModelInferRequest_InferInputTensor>): oipV1.ModelInferRequest_InferInputTensor => ({ name: 'x', datatype: 'FP32', shape: ['2'], parameters: {}, contents: null, ...overrides });
const contents = (overrides: Partial<oipV1.InferTensorContents>): oipV1.InferTensorContents => ({ boolContents: [], intContents: [], int64Contents: [], uintContents: [], uint64Contents: [], fp32Contents: [], fp64Contents: [], bytesContents: [], ...overrides });

describe('fromOipInput', () => {
  it('reads INT64 decimal strings as bigints', () => {
    expect(fromOipInput(input({ datatype: 'INT64', contents: contents({ int64Contents: ['-9007199254740993', '7'] }) }))).toEqual({ datatype: 'INT64', shape: [2], data: [-9007199254740993n, 7n] });
  });

  it('reads little-endian raw contents and length-prefixed BYTES', () => {
    const raw = Buffer.alloc(8);
    raw.writeFloatLE(1.5, 0);
    raw.writeFloatLE(-2, 4);
    expect(fromOipInput(input({}), raw).data).toEqual([1.5, -2]);
    const bytes = Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from('hi'), Buffer.from([0, 0, 0, 0])]);
    expect(fromOipInput(input({ datatype: 'BYTES' }), bytes).data).toEqual(['hi', '']);
  });

  it.each([
    ['an unknown datatype', input({ datatype: 'FLOAT', contents: contents({ fp32Contents: [1, 2] }) }), undefined, 'not an Open Inference Protocol datatype'],
    ['contents in another member', input({ contents: contents({ fp64Contents: [1, 2] }) }), undefined, 'carried in fp32_contents, got fp64_contents'],
    ['both contents and raw', input({ contents: contents({ fp32Contents: [1, 2] }) }), Buffer.alloc(8), 'both contents and raw_input_contents'],
    ['a short raw buffer', input({}), Buffer.alloc(4), 'raw_input_contents has 4 bytes'],
    ['too few values', input({ contents: contents({ fp32Contents: [1] }) }), undefined, 'needs 2 values, got 1'],
    ['a negative shape entry', input({ shape: ['-1'] }), undefined, 'shape entry 0'],
    ['a non-integer INT64', input({ datatype: 'INT64', contents: contents({ int64Contents: ['1.5', '2'] }) }), undefined, 'expected an integer'],
  ])('refuses %s, naming the input', (_, tensor, raw, message) => {
    const attempt = (): unknown => fromOipInput(tensor, raw);
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow('input "x"');
  });

  it.each([
    ['FP32 Infinity', input({ contents: contents({ fp32Contents: [1, Number.POSITIVE_INFINITY] }) }), undefined, 'inputs[x].contents.fp32_contents[1]'],
    ['FP32 NaN', input({ contents: contents({ fp32Contents: [Number.NaN, 1] }) }), undefined, 'inputs[x].contents.fp32_contents[0]'],
    ['FP64 -Infinity', input({ datatype: 'FP64', contents: contents({ fp64Contents: [Number.NEGATIVE_INFINITY, 1] }) }), undefined, 'inputs[x].contents.fp64_contents[0]'],
    ['FP64 NaN in raw contents', input({ datatype: 'FP64' }), Buffer.from(new Float64Array([1, Number.NaN]).buffer), 'inputs[x].raw_input_contents[1]'],
  ])('refuses a non-finite element (%s), naming the element', (_, tensor, raw, field) => {
    let caught: unknown;
    try {
      fromOipInput(tensor, raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NonFiniteElementError);
    expect(inputFieldOf(caught as NonFiniteElementError)).toBe(field);
    expect((caught as Error).message).toMatch(/must be finite numbers \(NaN, Infinity and -Infinity are refused\)$/);
  });
});

describe('toOipOutput', () => {
  it('writes datatype names, string shapes and the datatype\'s contents member', () => {
    expect(toOipOutput('label', { datatype: 'INT64', shape: [2], data: [1n, -3n] })).toEqual({ name: 'label', datatype: 'INT64', shape: ['2'], parameters: {}, contents: contents({ int64Contents: ['1', '-3'] }) });
    expect(toOipOutput('flag', { datatype: 'BOOL', shape: [1], data: [true] }).contents?.boolContents).toEqual([true]);
    expect(toOipOutput('text', { datatype: 'BYTES', shape: [1], data: ['é'] }).contents?.bytesContents).toEqual([Buffer.from('é', 'utf8')]);
  });
});

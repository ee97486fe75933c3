import type { oipV1 } from '@strata/contracts';
import { InvalidArgumentError } from '@strata/service-runtime';
import fc from 'fast-check';

import { emptyContents } from './oip-datatypes';
import { MAX_FIELD_VIOLATIONS, OipRequestError, parseInferRequest } from './oip-json';
import { toInferResponseJson } from './oip-json-response';

const target = { modelName: 'mymodel' };

function anInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'input0', shape: [2], datatype: 'FP32', data: [1.5, -2], ...overrides };
}

function violationsOf(json: unknown): { field: string; description: string }[] {
  try {
    parseInferRequest(json, target);
  } catch (error) {
    if (error instanceof OipRequestError) return [...error.fieldViolations];
    throw error;
  }
  throw new Error('expected the request to be refused');
}

function contentsOf(json: unknown): oipV1.InferTensorContents {
  return parseInferRequest({ inputs: [json] }, target).inputs[0].contents!;
}

describe('parseInferRequest', () => {
  describe('with the protocol examples', () => {
    it('reads the request example (with its BOOL tensor given as many elements as its shape needs)', () => {
      const example = {
        id: '42',
        inputs: [
          { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
          { name: 'input1', shape: [3], datatype: 'BOOL', data: [true, false, true] },
        ],
        outputs: [{ name: 'output0' }],
      };
      expect(parseInferRequest(example, { modelName: 'mymodel', modelVersion: '3' })).toEqual({
        modelName: 'mymodel',
        modelVersion: '3',
        id: '42',
        parameters: {},
        inputs: [
          { name: 'input0', datatype: 'UINT32', shape: ['2', '2'], parameters: {}, contents: { ...emptyContents(), uintContents: [1, 2, 3, 4] } },
          { name: 'input1', datatype: 'BOOL', shape: ['3'], parameters: {}, contents: { ...emptyContents(), boolContents: [true, false, true] } },
        ],
        outputs: [{ name: 'output0', parameters: {} }],
        rawInputContents: [],
      });
    });

    it('refuses the example exactly as printed: its shape [3] BOOL tensor has one element (a known erratum)', () => {
      const printed = {
        id: '42',
        inputs: [
          { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
          { name: 'input1', shape: [3], datatype: 'BOOL', data: [true] },
        ],
        outputs: [{ name: 'output0' }],
      };
      expect(violationsOf(printed)).toEqual([{ field: 'inputs[1].data', description: expect.stringContaining('shape [3] needs 3 elements, got 1') }]);
    });

    it('reads the tensor-data example in its nested and its flattened form alike', () => {
      const nested = contentsOf({ name: 'x', shape: [2, 2], datatype: 'INT32', data: [[1, 2], [4, 5]] });
      const flat = contentsOf({ name: 'x', shape: [2, 2], datatype: 'INT32', data: [1, 2, 4, 5] });
      expect(nested.intContents).toEqual([1, 2, 4, 5]);
      expect(flat).toEqual(nested);
    });
  });

  it('reads nested data of rank 3 in row-major order', () => {
    const data = [
      [[1, 2, 3], [4, 5, 6]],
      [[7, 8, 9], [10, 11, 12]],
    ];
    expect(contentsOf(anInput({ shape: [2, 2, 3], datatype: 'FP64', data })).fp64Contents).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('reads a scalar (shape []) and an empty tensor', () => {
    expect(contentsOf(anInput({ shape: [], data: [7] })).fp32Contents).toEqual([7]);
    expect(contentsOf(anInput({ shape: [0, 3], data: [] })).fp32Contents).toEqual([]);
  });

  it.each([
    ['BOOL', [true, false], 'boolContents', [true, false]],
    ['UINT8', [0, 255], 'uintContents', [0, 255]],
    ['UINT16', [0, 65535], 'uintContents', [0, 65535]],
    ['UINT32', [0, 4294967295], 'uintContents', [0, 4294967295]],
    ['UINT64', [0, '18446744073709551615'], 'uint64Contents', ['0', '18446744073709551615']],
    ['INT8', [-128, 127], 'intContents', [-128, 127]],
    ['INT16', [-32768, 32767], 'intContents', [-32768, 32767]],
    ['INT32', [-2147483648, 2147483647], 'intContents', [-2147483648, 2147483647]],
    ['INT64', [-9007199254740991, '-9223372036854775808'], 'int64Contents', ['-9007199254740991', '-9223372036854775808']],
    ['INT64', ['0007', '-0'], 'int64Contents', ['7', '0']],
    ['FP32', [0.5, -3.4e38], 'fp32Contents', [0.5, -3.4e38]],
    ['FP64', [1e300, -1.7976931348623157e308], 'fp64Contents', [1e300, -1.7976931348623157e308]],
    ['BYTES', ['héllo', ''], 'bytesContents', [Buffer.from('héllo', 'utf8'), Buffer.alloc(0)]],
  ])('reads %s elements into the matching contents member', (datatype, data, member, expected) => {
    const contents = contentsOf(anInput({ datatype, data }));
    expect(contents).toEqual({ ...emptyContents(), [member]: expected });
  });

  it.each([
    ['BOOL', [1, 'true'], 'BOOL elements are true or false'],
    ['UINT8', [256, -1], 'UINT8 elements are integers in [0, 255]'],
    ['UINT16', [65536, 1.5], 'UINT16 elements are integers in [0, 65535]'],
    ['UINT32', [4294967296, '1'], 'UINT32 elements are integers in [0, 4294967295]'],
    ['UINT64', [-1, '18446744073709551616'], 'UINT64 elements are integers in [0, 18446744073709551615]'],
    ['INT8', [128, -129], 'INT8 elements are integers in [-128, 127]'],
    ['INT16', [32768, null], 'INT16 elements are integers in [-32768, 32767]'],
    ['INT32', [2147483648, true], 'INT32 elements are integers in [-2147483648, 2147483647]'],
    ['INT64', ['9223372036854775808', '1.0'], 'INT64 elements are integers in [-9223372036854775808, 9223372036854775807]'],
    ['INT64', [2 ** 60, 2 ** 61], 'may have lost precision: send it as a decimal string'],
    ['FP32', [1e39, '1.5'], ''],
    ['FP64', ['nan', [1]], 'FP64 elements are finite numbers'],
    ['BYTES', [1, '\ud800'], ''],
  ])('refuses bad %s elements, naming each', (datatype, data, description) => {
    const violations = violationsOf({ inputs: [anInput({ datatype, data })] });
    expect(violations.map((violation) => violation.field)).toEqual(['inputs[0].data[0]', 'inputs[0].data[1]']);
    expect(violations[0].description).toContain(description);
  });

  it.each([
    ['FP32', '1e400 and -1e400 (they parse as ±Infinity)', JSON.parse('[1e400, -1e400]') as unknown[]],
    ['FP64', '1e400 and -1e400 (they parse as ±Infinity)', JSON.parse('[1e400, -1e400]') as unknown[]],
    ['FP32', 'the spellings "NaN" and "Infinity"', ['NaN', 'Infinity']],
    ['FP64', 'the spellings "-Infinity" and "NaN"', ['-Infinity', 'NaN']],
  ])('refuses non-finite %s elements: %s, naming each (no datatype takes NaN or ±Infinity)', (datatype, _, data) => {
    const violations = violationsOf({ inputs: [anInput({ datatype, shape: [2, 2], data: [[1, data[0]], [data[1], 2]] })] });
    expect(violations).toEqual([
      { field: 'inputs[0].data[0][1]', description: expect.stringMatching(new RegExp(`^${datatype} elements must be finite numbers, got .*NaN, Infinity and -Infinity are refused`)) },
      { field: 'inputs[0].data[1][0]', description: expect.stringContaining('must be finite numbers') },
    ]);
  });

  it('refuses FP16 and BF16 inputs (Strata serves neither)', () => {
    expect(violationsOf({ inputs: [anInput({ datatype: 'FP16' }), anInput({ name: 'b', datatype: 'BF16' })] })).toEqual([
      { field: 'inputs[0].datatype', description: expect.stringContaining('FP16 is not supported') },
      { field: 'inputs[1].datatype', description: expect.stringContaining('BF16 is not supported') },
    ]);
  });

  it('lists every bad field of a request with its JSON path', () => {
    const request = {
      id: 42,
      parameters: { priority: 1, nested: { no: true } },
      inputs: [
        { name: '', shape: [2, -1], datatype: 'FLOAT', data: [1, 2] },
        { name: 'b', shape: '3', datatype: 'INT32', data: [1, 2, 3], extra: 1 },
        { name: 'c', shape: [2, 2], datatype: 'INT8', data: [[1, 2], [3]] },
        { name: 'c', shape: [2], datatype: 'INT8', data: 'abc' },
        { name: 'd', shape: [2], datatype: 'INT8', data: [1, 999] },
      ],
      outputs: [{ name: 'out' }, { name: 'out' }, 'x'],
      input: [],
    };
    expect(violationsOf(request).map((violation) => violation.field)).toEqual([
      'input',
      'id',
      'parameters.nested',
      'inputs[0].name',
      'inputs[0].datatype',
      'inputs[0].shape[1]',
      'inputs[1].extra',
      'inputs[1].shape',
      'inputs[2].data[1]',
      'inputs[3].name',
      'inputs[3].data',
      'inputs[4].data[1]',
      'outputs[1].name',
      'outputs[2]',
    ]);
  });

  it('says what the nested data must look like when it does not follow the shape', () => {
    expect(violationsOf({ inputs: [anInput({ shape: [2, 3], data: [[1, 2, 3], 4] })] })).toEqual([
      { field: 'inputs[0].data[1]', description: 'nested data must follow shape [2, 3]: expected an array of 3 at dimension 1, got number 4' },
    ]);
    expect(violationsOf({ inputs: [anInput({ shape: [2, 2], data: [[1, 2], [3, 4], [5, 6]] })] })).toEqual([
      { field: 'inputs[0].data', description: 'nested data must follow shape [2, 2]: expected an array of 2 at dimension 0, got an array of 3' },
    ]);
  });

  it('refuses arrays inside flat data of a rank-1 tensor', () => {
    expect(violationsOf({ inputs: [anInput({ shape: [2], data: [[1], [2]] })] }).map((violation) => violation.field)).toEqual(['inputs[0].data[0]', 'inputs[0].data[1]']);
  });

  it('refuses a body that is not an object, and missing inputs', () => {
    expect(violationsOf([])).toEqual([{ field: '$', description: 'the body must be a JSON object, got an array' }]);
    expect(violationsOf({})).toEqual([{ field: 'inputs', description: expect.stringContaining('is required') }]);
    expect(violationsOf({ inputs: [] })).toEqual([{ field: 'inputs', description: expect.stringContaining('non-empty array') }]);
  });

  it('maps parameters to their InferParameter members, keeping odd names as plain entries', () => {
    const request = parseInferRequest(JSON.parse('{"parameters":{"a":true,"b":7,"c":0.25,"d":"x","__proto__":"p"},"inputs":[{"name":"input0","shape":[1],"datatype":"FP32","data":[1],"parameters":{"content_type":"np"}}]}'), target);
    expect(Object.keys(request.parameters)).toEqual(['a', 'b', 'c', 'd', '__proto__']);
    expect(request.parameters).toMatchObject({ a: { boolParam: true }, b: { int64Param: '7' }, c: { doubleParam: 0.25 }, d: { stringParam: 'x' } });
    expect(Object.getOwnPropertyDescriptor(request.parameters, '__proto__')?.value).toEqual({ stringParam: 'p' });
    expect(Object.getPrototypeOf(request.parameters)).toBe(Object.prototype);
    expect(request.inputs[0].parameters).toEqual({ content_type: { stringParam: 'np' } });
    expect(violationsOf({ parameters: { 'a b': [] }, inputs: [anInput()] })).toEqual([{ field: 'parameters["a b"]', description: expect.any(String) }]);
  });

  it('treats null optional members as absent', () => {
    expect(parseInferRequest({ id: null, parameters: null, outputs: null, inputs: [anInput({ parameters: null })] }, target)).toMatchObject({ id: '', parameters: {}, outputs: [] });
  });

  it('throws an INVALID_ARGUMENT error whose message sums up the first violations', () => {
    const attempt = (): unknown => parseInferRequest({ inputs: [anInput({ data: ['a', 'b'] })] }, target);
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow('invalid inference request (2 bad fields): inputs[0].data[0]: FP32 elements are finite numbers');
  });

  it(`lists at most ${MAX_FIELD_VIOLATIONS} violations and counts the rest`, () => {
    const violations = violationsOf({ inputs: [anInput({ shape: [1_000], data: Array.from({ length: 1_000 }, () => 'x') })] });
    expect(violations).toHaveLength(MAX_FIELD_VIOLATIONS + 1);
    expect(violations[MAX_FIELD_VIOLATIONS]).toEqual({ field: '$', description: '900 more bad fields not listed' });
  });

  describe('with random bodies (seeded properties)', () => {
    const anyJson = fc.jsonValue({ maxDepth: 4 });
    const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: anyJson });
    const datatype = fc.constantFrom('BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'BF16', 'int32', '');
    const element = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.string(), fc.constantFrom('NaN', '-1', '18446744073709551616', 2 ** 63), fc.constant(null));
    const data = fc.oneof(fc.array(element, { maxLength: 12 }), fc.array(fc.array(element, { maxLength: 4 }), { maxLength: 4 }), anyJson);
    const tensor = fc.record({ name: maybe(fc.string({ maxLength: 3 })), shape: maybe(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 })), datatype: maybe(datatype), data, parameters: maybe(fc.dictionary(fc.string(), anyJson)) }, { requiredKeys: [] });
    const body = fc.oneof(anyJson, fc.record({ id: maybe(fc.string()), parameters: maybe(fc.dictionary(fc.string(), fc.oneof(fc.boolean(), fc.integer(), fc.string()))), inputs: maybe(fc.array(tensor, { maxLength: 3 })), outputs: maybe(fc.array(fc.record({ name: maybe(fc.string()) }), { maxLength: 2 })) }, { requiredKeys: [] }));

    it('never throws anything but OipRequestError', () => {
      let accepted = 0;
      fc.assert(
        fc.property(body, (json) => {
          try {
            parseInferRequest(json, target);
            accepted += 1;
          } catch (error) {
            if (!(error instanceof OipRequestError)) throw error;
            expect(error.fieldViolations.length).toBeGreaterThan(0);
          }
        }),
        { seed: 20261129, numRuns: 2_000 },
      );
      expect(accepted).toBeGreaterThan(0);
    });

    it('gives back the same elements in a response built from the parsed contents', () => {
      const validTensor = fc
        .record({ datatype: fc.constantFrom('BOOL', 'UINT8', 'INT16', 'UINT32', 'INT64', 'UINT64', 'FP32', 'FP64', 'BYTES'), rows: fc.integer({ min: 0, max: 3 }), cols: fc.integer({ min: 1, max: 3 }) })
        .chain(({ datatype, rows, cols }) => fc.tuple(fc.constant(datatype), fc.constant([rows, cols]), fc.array(elementOf(datatype), { minLength: rows * cols, maxLength: rows * cols })));
      fc.assert(
        fc.property(validTensor, fc.boolean(), ([datatype, shape, flat], nest) => {
          const data = nest ? Array.from({ length: shape[0] }, (_, row) => flat.slice(row * shape[1], (row + 1) * shape[1])) : flat;
          const input = parseInferRequest({ inputs: [{ name: 'x', datatype, shape, data }] }, target).inputs[0];
          const response = toInferResponseJson({ modelName: 'm', modelVersion: '1', id: '', parameters: {}, outputs: [{ name: 'x', datatype, shape: input.shape, parameters: {}, contents: input.contents }], rawOutputContents: [] });
          const { data: written, ...rest } = response.outputs[0];
          expect(rest).toEqual({ name: 'x', datatype, shape });
          // FP32 is written in its shortest form: it must read back as the same float32.
          const readBack = datatype === 'FP32' ? written.map((value) => Math.fround(value as number)) : written;
          expect(readBack.map(positiveZero)).toEqual(flat.map((value) => normalised(datatype, value)));
        }),
        { seed: 42, numRuns: 500 },
      );
    });
  });
});

function elementOf(datatype: string): fc.Arbitrary<unknown> {
  switch (datatype) {
    case 'BOOL':
      return fc.boolean();
    case 'UINT8':
      return fc.integer({ min: 0, max: 255 });
    case 'INT16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'UINT32':
      return fc.integer({ min: 0, max: 4294967295 });
    case 'INT64':
      return fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String));
    case 'UINT64':
      return fc.oneof(fc.maxSafeNat(), fc.bigUint({ max: 2n ** 64n - 1n }).map(String));
    case 'FP32':
      return fc.float({ noNaN: true, noDefaultInfinity: true });
    case 'FP64':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    default:
      return fc.string({ unit: 'grapheme' });
  }
}

function normalised(datatype: string, value: unknown): unknown {
  if ((datatype === 'INT64' || datatype === 'UINT64') && typeof value === 'string') {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : BigInt(value).toString();
  }
  return positiveZero(value);
}

function positiveZero(value: unknown): unknown {
  return typeof value === 'number' && Object.is(value, -0) ? 0 : value;
}

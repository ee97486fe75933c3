import { commonV1 } from '@strata/contracts';
import { type OipDatatype } from '@strata/onnx';

import { type InferenceTensor, InvalidInputError } from '../model-runtime';
import { inputFieldOf, NonFiniteElementError } from './tensor-values';
import { oipDatatypeOfWire, toInferenceTensor, toWireTensor, wireDatatypeOf } from './tensor.mapper';

const WIRE = commonV1.TensorDataType;

function emptyContents(): commonV1.TensorContents {
  return { boolContents: [], intContents: [], int64Contents: [], uintContents: [], uint64Contents: [], fp32Contents: [], fp64Contents: [], bytesContents: [] };
}

function aWireTensor(overrides: Partial<commonV1.Tensor> = {}): commonV1.Tensor {
  return {
    name: 'features',
    datatype: WIRE.TENSOR_DATA_TYPE_FP32,
    shape: ['1', '3'],
    contents: { ...emptyContents(), fp32Contents: [0.5, 1.5, -2] },
    rawContents: Buffer.alloc(0),
    ...overrides,
  };
}

function invalidInput(action: () => unknown): InvalidInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('tensor mapper', () => {
  describe('round trip', () => {
    it.each<[string, InferenceTensor, keyof commonV1.TensorContents]>([
      ['BOOL', { datatype: 'BOOL', shape: [2, 2], data: [true, false, false, true] }, 'boolContents'],
      ['INT8', { datatype: 'INT8', shape: [3], data: [-128, 0, 127] }, 'intContents'],
      ['INT16', { datatype: 'INT16', shape: [2], data: [-32768, 32767] }, 'intContents'],
      ['INT32', { datatype: 'INT32', shape: [2], data: [-2147483648, 2147483647] }, 'intContents'],
      ['UINT8', { datatype: 'UINT8', shape: [2], data: [0, 255] }, 'uintContents'],
      ['UINT16', { datatype: 'UINT16', shape: [2], data: [0, 65535] }, 'uintContents'],
      ['UINT32', { datatype: 'UINT32', shape: [2], data: [0, 4294967295] }, 'uintContents'],
      ['INT64', { datatype: 'INT64', shape: [3], data: [-(2n ** 63n), 0n, 2n ** 63n - 1n] }, 'int64Contents'],
      ['UINT64', { datatype: 'UINT64', shape: [2], data: [0n, 2n ** 64n - 1n] }, 'uint64Contents'],
      ['FP32', { datatype: 'FP32', shape: [1, 3], data: [0.5, -1.25, 3] }, 'fp32Contents'],
      ['FP64', { datatype: 'FP64', shape: [2], data: [Math.PI, -1e300] }, 'fp64Contents'],
      ['BYTES', { datatype: 'BYTES', shape: [2], data: ['héllo', ''] }, 'bytesContents'],
      ['scalar FP32', { datatype: 'FP32', shape: [], data: [7] }, 'fp32Contents'],
      ['empty FP32', { datatype: 'FP32', shape: [0, 4], data: [] }, 'fp32Contents'],
    ])('keeps %s through toWireTensor and toInferenceTensor', (_, tensor, member) => {
      const wire = toWireTensor('x', tensor);
      expect(wire.name).toBe('x');
      expect(wire.datatype).toBe(wireDatatypeOf(tensor.datatype));
      expect(wire.shape).toEqual(tensor.shape.map(String));
      expect(wire.rawContents).toHaveLength(0);
      const contents = wire.contents ?? emptyContents();
      for (const [key, values] of Object.entries(contents)) expect((values as unknown[]).length).toBe(key === member ? tensor.data.length : 0);
      expect(toInferenceTensor(wire)).toEqual({ datatype: tensor.datatype, shape: tensor.shape, data: Array.from(tensor.data) });
    });

    it('sends INT64 elements as decimal strings and reads them back as bigints', () => {
      const wire = toWireTensor('ids', { datatype: 'INT64', shape: [2], data: [9007199254740993n, -5] });
      expect(wire.contents?.int64Contents).toEqual(['9007199254740993', '-5']);
      expect(toInferenceTensor(wire).data).toEqual([9007199254740993n, -5n]);
    });

    it('sends a runtime Float32Array and BOOL as 0/1 values', () => {
      expect(toWireTensor('y', { datatype: 'FP32', shape: [2], data: new Float32Array([0.5, 2]) }).contents?.fp32Contents).toEqual([0.5, 2]);
      expect(toWireTensor('b', { datatype: 'BOOL', shape: [2], data: [1, 0] }).contents?.boolContents).toEqual([true, false]);
    });
  });

  describe('datatype names', () => {
    it('maps every protocol datatype to its TENSOR_DATA_TYPE_ name and back', () => {
      const all: OipDatatype[] = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'BF16', 'FP32', 'FP64', 'BYTES'];
      for (const datatype of all) {
        expect(wireDatatypeOf(datatype)).toBe(`TENSOR_DATA_TYPE_${datatype}`);
        expect(oipDatatypeOfWire(wireDatatypeOf(datatype))).toBe(datatype);
      }
      expect(oipDatatypeOfWire(WIRE.TENSOR_DATA_TYPE_UNSPECIFIED)).toBeUndefined();
    });
  });

  describe(toInferenceTensor.name, () => {
    it('reads FP32 raw_contents as little-endian floats', () => {
      const raw = Buffer.alloc(12);
      [0.5, -1.25, 3].forEach((value, index) => raw.writeFloatLE(value, index * 4));
      const tensor = toInferenceTensor(aWireTensor({ contents: null, rawContents: raw }));
      expect(tensor).toEqual({ datatype: 'FP32', shape: [1, 3], data: [0.5, -1.25, 3] });
    });

    it('reads INT64 raw_contents as little-endian bigints', () => {
      const raw = Buffer.alloc(16);
      raw.writeBigInt64LE(-(2n ** 62n), 0);
      raw.writeBigInt64LE(42n, 8);
      const tensor = toInferenceTensor(aWireTensor({ datatype: WIRE.TENSOR_DATA_TYPE_INT64, shape: ['2'], contents: undefined, rawContents: raw }));
      expect(tensor).toEqual({ datatype: 'INT64', shape: [2], data: [-(2n ** 62n), 42n] });
    });

    it('reads raw_contents from a buffer that is a slice of a larger one', () => {
      const backing = Buffer.alloc(20);
      backing.writeInt32LE(-7, 4);
      backing.writeInt32LE(9, 8);
      const tensor = toInferenceTensor(aWireTensor({ datatype: WIRE.TENSOR_DATA_TYPE_INT32, shape: ['2'], contents: null, rawContents: backing.subarray(4, 12) }));
      expect(tensor.data).toEqual([-7, 9]);
    });

    it('reads BYTES raw_contents as length-prefixed UTF-8 elements', () => {
      const parts = ['ab', 'ü'].map((text) => Buffer.from(text, 'utf8'));
      const raw = Buffer.concat(parts.flatMap((part) => [Buffer.from(new Uint32Array([part.length]).buffer), part]));
      const tensor = toInferenceTensor(aWireTensor({ datatype: WIRE.TENSOR_DATA_TYPE_BYTES, shape: ['2'], contents: null, rawContents: raw }));
      expect(tensor.data).toEqual(['ab', 'ü']);
    });

    it('rejects a data length that does not fill the shape, naming the tensor', () => {
      const error = invalidInput(() => toInferenceTensor(aWireTensor({ shape: ['2', '3'] })));
      expect(error.field).toBe('features');
      expect(error.message).toBe('input "features": shape [2, 3] needs 6 values, got 3');
    });

    it('rejects raw_contents of the wrong byte length, naming the tensor', () => {
      const error = invalidInput(() => toInferenceTensor(aWireTensor({ contents: null, rawContents: Buffer.alloc(8) })));
      expect(error.field).toBe('features');
      expect(error.message).toContain('raw_contents has 8 bytes, 3 FP32 values need 12');
    });

    it.each([['-1'], ['1.5'], ['abc'], ['']])('rejects shape entry %j, naming the tensor', (entry) => {
      const error = invalidInput(() => toInferenceTensor(aWireTensor({ shape: ['1', entry] })));
      expect(error.field).toBe('features');
      expect(error.message).toContain(`shape entry 1 is ${JSON.stringify(entry)}, expected a non-negative integer`);
    });

    it.each([[WIRE.TENSOR_DATA_TYPE_FP16], [WIRE.TENSOR_DATA_TYPE_BF16]])('rejects %s as not supported yet', (datatype) => {
      const error = invalidInput(() => toInferenceTensor(aWireTensor({ datatype, contents: null, rawContents: Buffer.alloc(6) })));
      expect(error.field).toBe('features');
      expect(error.message).toMatch(/not supported yet/);
    });

    it('rejects an unset datatype', () => {
      expect(invalidInput(() => toInferenceTensor(aWireTensor({ datatype: WIRE.TENSOR_DATA_TYPE_UNSPECIFIED }))).message).toMatch(/not set/);
    });

    it('rejects both contents and raw_contents', () => {
      expect(invalidInput(() => toInferenceTensor(aWireTensor({ rawContents: Buffer.alloc(12) }))).message).toMatch(/both contents and raw_contents/);
    });

    it('rejects an INT64 element that is not an integer', () => {
      const wire = aWireTensor({ datatype: WIRE.TENSOR_DATA_TYPE_INT64, shape: ['1'], contents: { ...emptyContents(), int64Contents: ['1e3'] } });
      expect(invalidInput(() => toInferenceTensor(wire)).message).toContain('value 0 is "1e3", expected an integer');
    });

    it('rejects BYTES that are not UTF-8', () => {
      const wire = aWireTensor({ datatype: WIRE.TENSOR_DATA_TYPE_BYTES, shape: ['1'], contents: { ...emptyContents(), bytesContents: [Buffer.from([0xff, 0xfe])] } });
      expect(invalidInput(() => toInferenceTensor(wire)).message).toContain('value 0 is not valid UTF-8');
    });

    it.each([
      ['FP32', 'Infinity (1e400 overflowed)', WIRE.TENSOR_DATA_TYPE_FP32, 'fp32Contents', 'fp32_contents', Number.POSITIVE_INFINITY],
      ['FP32', '-Infinity', WIRE.TENSOR_DATA_TYPE_FP32, 'fp32Contents', 'fp32_contents', Number.NEGATIVE_INFINITY],
      ['FP32', 'NaN', WIRE.TENSOR_DATA_TYPE_FP32, 'fp32Contents', 'fp32_contents', Number.NaN],
      ['FP64', 'Infinity', WIRE.TENSOR_DATA_TYPE_FP64, 'fp64Contents', 'fp64_contents', Number.POSITIVE_INFINITY],
      ['FP64', '-Infinity', WIRE.TENSOR_DATA_TYPE_FP64, 'fp64Contents', 'fp64_contents', Number.NEGATIVE_INFINITY],
      ['FP64', 'NaN', WIRE.TENSOR_DATA_TYPE_FP64, 'fp64Contents', 'fp64_contents', Number.NaN],
    ] as const)('refuses a non-finite %s element (%s), naming the element', (datatype, _, wireDatatype, member, snake, value) => {
      const error = invalidInput(() => toInferenceTensor(aWireTensor({ datatype: wireDatatype, contents: { ...emptyContents(), [member]: [0.5, 1, value] } })));
      expect(error).toBeInstanceOf(NonFiniteElementError);
      expect(inputFieldOf(error)).toBe(`inputs[features].contents.${snake}[2]`);
      expect(error.message).toBe(`input "features": contents.${snake}[2] is ${String(value)}: ${datatype} elements must be finite numbers (NaN, Infinity and -Infinity are refused)`);
    });

    it.each([
      ['FP32', WIRE.TENSOR_DATA_TYPE_FP32, 4, (raw: Buffer, at: number, value: number) => raw.writeFloatLE(value, at)],
      ['FP64', WIRE.TENSOR_DATA_TYPE_FP64, 8, (raw: Buffer, at: number, value: number) => raw.writeDoubleLE(value, at)],
    ] as const)('refuses a NaN or infinite %s element in raw_contents, naming the element', (_, datatype, size, write) => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const raw = Buffer.alloc(3 * size);
        [1, bad, 2].forEach((value, index) => write(raw, index * size, value));
        const error = invalidInput(() => toInferenceTensor(aWireTensor({ datatype, contents: null, rawContents: raw })));
        expect(inputFieldOf(error)).toBe('inputs[features].raw_contents[1]');
      }
    });

    it('names only the tensor for other refusals', () => {
      expect(inputFieldOf(invalidInput(() => toInferenceTensor(aWireTensor({ shape: ['2', '3'] }))))).toBe('inputs[features]');
    });

    it('refuses values in a member other than the datatype\'s (they would be silently ignored)', () => {
      const wire = aWireTensor({ datatype: WIRE.TENSOR_DATA_TYPE_INT32, shape: ['2'], contents: { ...emptyContents(), intContents: [1, 2], fp32Contents: [9] } });
      expect(() => toInferenceTensor(wire)).toThrow('datatype INT32 is carried in int_contents, got fp32_contents');
    });
  });

  describe(toWireTensor.name, () => {
    it('refuses FP16, which the runtime never produces', () => {
      expect(() => toWireTensor('h', { datatype: 'FP16', shape: [1], data: [0] })).toThrow(RangeError);
    });
  });
});

import type { oipV1 } from '@strata/contracts';
import fc from 'fast-check';

import { emptyContents } from './oip-datatypes';
import { float32Json, OipResponseError, toHealthJson, toInferResponseJson, toModelMetadataJson, toOipErrorJson, toServerMetadataJson } from './oip-json-response';

function aResponse(overrides: Partial<oipV1.ModelInferResponse> = {}): oipV1.ModelInferResponse {
  return { modelName: 'mymodel', modelVersion: '', id: '', parameters: {}, outputs: [], rawOutputContents: [], ...overrides };
}

function anOutput(datatype: string, contents: Partial<oipV1.InferTensorContents> | null, shape = ['2']): oipV1.ModelInferResponse_InferOutputTensor {
  return { name: 'output0', datatype, shape, parameters: {}, contents: contents === null ? null : { ...emptyContents(), ...contents } };
}

describe('toInferResponseJson', () => {
  it('writes the protocol response example', () => {
    const response = aResponse({ id: '42', outputs: [anOutput('FP32', { fp32Contents: [1.0, 1.1, 2.0, 2.1, 3.0, 3.1].map(Math.fround) }, ['3', '2'])] });
    expect(toInferResponseJson(response)).toEqual({
      model_name: 'mymodel',
      id: '42',
      outputs: [{ name: 'output0', shape: [3, 2], datatype: 'FP32', data: [1.0, 1.1, 2.0, 2.1, 3.0, 3.1] }],
    });
  });

  it('writes the model version, response and output parameters when present', () => {
    const response = aResponse({
      modelVersion: '3',
      parameters: { a: { boolParam: true }, b: { int64Param: '-5' }, c: { stringParam: 'x' }, d: { doubleParam: 0.5 }, e: { uint64Param: '18446744073709551615' } },
      outputs: [{ ...anOutput('BOOL', { boolContents: [true, false] }), parameters: { binary: { boolParam: false } } }],
    });
    expect(toInferResponseJson(response)).toEqual({
      model_name: 'mymodel',
      model_version: '3',
      parameters: { a: true, b: -5, c: 'x', d: 0.5, e: '18446744073709551615' },
      outputs: [{ name: 'output0', shape: [2], datatype: 'BOOL', parameters: { binary: false }, data: [true, false] }],
    });
  });

  it.each([
    ['BOOL', { boolContents: [true, false] }, [true, false]],
    ['UINT8', { uintContents: [0, 255] }, [0, 255]],
    ['UINT16', { uintContents: [1, 65535] }, [1, 65535]],
    ['UINT32', { uintContents: [2, 4294967295] }, [2, 4294967295]],
    ['UINT64', { uint64Contents: ['9007199254740991', '18446744073709551615'] }, [9007199254740991, '18446744073709551615']],
    ['INT8', { intContents: [-128, 127] }, [-128, 127]],
    ['INT16', { intContents: [-32768, 32767] }, [-32768, 32767]],
    ['INT32', { intContents: [-2147483648, 2147483647] }, [-2147483648, 2147483647]],
    ['INT64', { int64Contents: ['-42', '-9223372036854775808'] }, [-42, '-9223372036854775808']],
    ['FP32', { fp32Contents: [Math.fround(0.1), NaN] }, [0.1, 'NaN']],
    ['FP64', { fp64Contents: [0.1, -Infinity] }, [0.1, '-Infinity']],
    ['BYTES', { bytesContents: [Buffer.from('héllo'), Buffer.alloc(0)] }, ['héllo', '']],
  ])('writes %s elements from their contents member', (datatype, contents, data) => {
    expect(toInferResponseJson(aResponse({ outputs: [anOutput(datatype, contents)] })).outputs[0].data).toEqual(data);
  });

  it('writes no elements for absent contents', () => {
    expect(toInferResponseJson(aResponse({ outputs: [anOutput('FP32', null, ['0'])] })).outputs[0].data).toEqual([]);
  });

  it.each([
    ['BOOL', Buffer.from([1, 0]), [true, false]],
    ['UINT16', Buffer.from([0x01, 0x02]), [0x0201]],
    ['INT32', Buffer.from([0xff, 0xff, 0xff, 0xff]), [-1]],
    ['INT64', Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]), ['-9223372036854775808']],
    ['UINT64', Buffer.from([7, 0, 0, 0, 0, 0, 0, 0]), [7]],
    ['FP16', Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c]), [1, -2, 5.9604645e-8, 'Infinity']],
    ['BF16', Buffer.from([0x80, 0x3f, 0xc0, 0x7f]), [1, 'NaN']],
    ['FP32', Buffer.from(new Float32Array([1.5, 0.1]).buffer), [1.5, 0.1]],
    ['FP64', Buffer.from(new Float64Array([0.1]).buffer), [0.1]],
    ['BYTES', Buffer.from([2, 0, 0, 0, 0x68, 0x69, 0, 0, 0, 0]), ['hi', '']],
  ])('reads %s elements from raw_output_contents', (datatype, raw, data) => {
    expect(toInferResponseJson(aResponse({ outputs: [anOutput(datatype, null)], rawOutputContents: [raw] })).outputs[0].data).toEqual(data);
  });

  it.each([
    ['an unknown datatype', aResponse({ outputs: [anOutput('FLOAT', {})] }), 'not an Open Inference Protocol datatype'],
    ['BYTES that are not UTF-8', aResponse({ outputs: [anOutput('BYTES', { bytesContents: [Buffer.from([0xff])] })] }), 'BYTES element 0 is not UTF-8'],
    ['ragged raw contents', aResponse({ outputs: [anOutput('INT32', null)], rawOutputContents: [Buffer.alloc(6)] }), '6 raw bytes are not a whole number of INT32 elements'],
    ['a truncated raw BYTES element', aResponse({ outputs: [anOutput('BYTES', null)], rawOutputContents: [Buffer.from([5, 0, 0, 0, 0x61])] }), 'runs past the end'],
  ])('refuses %s', (_, response, message) => {
    const attempt = (): unknown => toInferResponseJson(response);
    expect(attempt).toThrow(OipResponseError);
    expect(attempt).toThrow(message);
  });
});

describe('toModelMetadataJson', () => {
  it('writes the protocol model metadata layout with numeric shapes', () => {
    const metadata: oipV1.ModelMetadataResponse = {
      name: 'flights-delay',
      versions: ['2', '3'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input0', datatype: 'FP32', shape: ['-1', '8'] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['-1', '2'] }],
    };
    expect(toModelMetadataJson(metadata)).toEqual({
      name: 'flights-delay',
      versions: ['2', '3'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input0', datatype: 'FP32', shape: [-1, 8] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
    });
  });

  it('omits an empty versions list', () => {
    expect(toModelMetadataJson({ name: 'm', versions: [], platform: 'p', inputs: [], outputs: [] })).toEqual({ name: 'm', platform: 'p', inputs: [], outputs: [] });
  });
});

describe('toServerMetadataJson', () => {
  it('writes name, version and extensions', () => {
    expect(toServerMetadataJson({ name: 'strata', version: '0.1.0', extensions: [] })).toEqual({ name: 'strata', version: '0.1.0', extensions: [] });
  });
});

describe('toHealthJson', () => {
  it('answers 200 for true and 400 for false, with the KServe body', () => {
    expect(toHealthJson('live', true)).toEqual({ statusCode: 200, body: { live: true } });
    expect(toHealthJson('ready', true)).toEqual({ statusCode: 200, body: { ready: true } });
    expect(toHealthJson('ready', false)).toEqual({ statusCode: 400, body: { ready: false } });
  });
});

describe('toOipErrorJson', () => {
  it('writes the protocol error body', () => {
    expect(toOipErrorJson('model not found')).toEqual({ error: 'model not found' });
  });
});

describe('float32Json', () => {
  // The obvious way: the fewest digits toPrecision needs to read back as the same float32.
  const reference = (value: number): number => {
    const single = Math.fround(value);
    for (let digits = 1; digits <= 9; digits += 1) {
      const candidate = Number(single.toPrecision(digits));
      if (Math.fround(candidate) === single) return candidate;
    }
    throw new Error('unreachable: 9 digits always round-trip');
  };
  const significantDigits = (value: number): number => value.toExponential().split('e')[0].replace(/[-.]/g, '').length;

  it.each([
    [Math.fround(0.1), 0.1],
    [Math.fround(1.1), 1.1],
    [Math.fround(-3.4028234663852886e38), -3.4028235e38],
    [Math.fround(1e-45), 1e-45],
    [16777216, 16777216],
    [-0, 0],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
  ])('writes %p as %p', (value, json) => {
    expect(float32Json(value)).toBe(json);
  });

  it('reads back as the same float32 with no more digits than the obvious way (seeded property)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const written = float32Json(value) as number;
        expect(Math.fround(written)).toBe(Math.fround(value) === 0 ? 0 : Math.fround(value));
        if (value !== 0) expect(significantDigits(written)).toBeLessThanOrEqual(significantDigits(reference(value)));
      }),
      { seed: 5, numRuns: 5_000 },
    );
  });
});

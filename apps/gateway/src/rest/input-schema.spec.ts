import { InvalidArgumentError } from '@strata/service-runtime';
import { ModelInputSchema } from './input-schema';
import { namedInputsToTensors, nestAsShape } from './predict-mapper';
import { openApiPathOf } from './rest-route';

const schema = new ModelInputSchema([
  { name: 'features', datatype: 'FP32', shape: [-1, 3] },
  { name: 'flags', datatype: 'BOOL', shape: [-1, -1] },
  { name: 'small', datatype: 'INT8', shape: [2] },
]);

function fieldsOf(value: Record<string, unknown>): string[] {
  try {
    schema.check(value);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.fieldViolations.map((violation) => violation.field);
    throw error;
  }
  return [];
}

describe(ModelInputSchema.name, () => {
  it('answers the concrete shape of each input given as nested arrays', () => {
    expect(schema.check({ features: [[1, 2, 3], [4, 5.5, 6]], flags: [[true], [false]], small: [1, -128] })).toEqual(
      new Map([
        ['features', [2, 3]],
        ['flags', [2, 1]],
        ['small', [2]],
      ]),
    );
  });

  it('lists every bad field: unknown input, wrong rank or dimension, wrong element type, out of range', () => {
    expect(fieldsOf({ features: [[1, 'x', 3], [1, 2], 5], small: [1, 300], bogus: [] })).toEqual(
      expect.arrayContaining(['inputs.features[0][1]', 'inputs.features[1]', 'inputs.features[2]', 'inputs.small[1]', 'inputs.bogus']),
    );
  });

  it('refuses ragged arrays in dimensions of any size', () => {
    expect(fieldsOf({ flags: [[true, false], [true]] })).toEqual(['inputs.flags[1]']);
  });

  it('refuses the non-finite spellings "NaN", "Infinity" and "-Infinity" as float elements', () => {
    expect(fieldsOf({ features: [['NaN', 'Infinity', '-Infinity']] })).toEqual(['inputs.features[0][0]', 'inputs.features[0][1]', 'inputs.features[0][2]']);
  });
});

describe(namedInputsToTensors.name, () => {
  it.each([['1e400'], ['-1e400']])('refuses %s (it parses as ±Infinity), naming the element', (number) => {
    const inputs = JSON.parse(`{"features": [[1, 2, 3], [4, ${number}, 6]]}`) as Record<string, unknown>;
    let caught: unknown;
    try {
      namedInputsToTensors(schema, inputs);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).fieldViolations).toEqual([{ field: 'inputs.features[1][1]', description: expect.stringContaining('FP32 elements must be finite numbers') }]);
  });

  it('carries finite float elements to the tensor', () => {
    expect(namedInputsToTensors(schema, { features: [[1, -3.4e38, 6]] })[0]?.contents?.fp32Contents).toEqual([1, -3.4e38, 6]);
  });
});

describe(nestAsShape.name, () => {
  it('nests row-major data as the shape, a scalar for an empty shape', () => {
    expect(nestAsShape([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(nestAsShape([7], [])).toBe(7);
    expect(nestAsShape([], [0, 2])).toEqual([]);
  });
});

describe(openApiPathOf.name, () => {
  it('writes Fastify URLs as OpenAPI paths', () => {
    expect(openApiPathOf('/v1/models/:name(^[^:/]+)::predict')).toBe('/v1/models/{name}:predict');
    expect(openApiPathOf('/v2/models/:name/versions/:version/infer')).toBe('/v2/models/{name}/versions/{version}/infer');
  });
});

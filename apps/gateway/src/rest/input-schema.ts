import { type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';
import { CONTENTS_MEMBER, INT_RANGES, isOipDatatype } from '../open-inference/oip-datatypes';
import { appendMember, jsonPointerToPath } from './problem';
import { compileSchema, type CompiledValidator, type SchemaIssue } from './json-validator';
import type { JsonSchema } from './rest-route';

/** A model input as its metadata describes it (OIP datatype; -1 = any size). */
export interface InputSpec {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

/** Most field violations listed in one answer. */
const MAX_VIOLATIONS = 100;

/** JSON schema of one element of `datatype`. */
export function elementSchema(datatype: string): JsonSchema {
  const range = INT_RANGES[datatype];
  if (range !== undefined) return { type: 'integer', minimum: range[0], maximum: range[1] };
  switch (datatype) {
    case 'BOOL':
      return { type: 'boolean' };
    case 'FP32':
    case 'FP64':
      // Finite only: ajv's `number` takes ±Infinity (`1e400` parses as one); the element reader refuses it.
      return { type: 'number' };
    case 'INT64':
      return { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]{1,19}$' }] };
    case 'UINT64':
      return { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]{1,20}$' }] };
    default:
      return { type: 'string' };
  }
}

/** JSON schema of a nested array of `shape` (-1 = any length) with elements of `datatype`. */
export function tensorSchema(shape: readonly number[], datatype: string): JsonSchema {
  return shape.reduceRight<JsonSchema>((items, dim) => ({ type: 'array', items, ...(dim >= 0 ? { minItems: dim, maxItems: dim } : {}) }), elementSchema(datatype));
}

/**
 * The schema of the predict body's `inputs` object for a model with `inputs`: each member an
 * input of the model, nested as its shape, elements of its datatype; no other member.
 */
export function namedInputsSchema(inputs: readonly InputSpec[]): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(inputs.map((input) => [input.name, tensorSchema(input.shape, input.datatype)])),
  };
}

/** A model's input schema, compiled once per metadata. */
export class ModelInputSchema {
  private readonly validate: CompiledValidator;
  private readonly byName: ReadonlyMap<string, InputSpec>;

  constructor(readonly inputs: readonly InputSpec[]) {
    this.validate = compileSchema(namedInputsSchema(inputs));
    this.byName = new Map(inputs.map((input) => [input.name, input]));
  }

  spec(name: string): InputSpec | undefined {
    return this.byName.get(name);
  }

  /**
   * Checks the predict body's `inputs` object and answers each input's concrete shape.
   *
   * @throws InvalidArgumentError listing every bad field (`inputs.features[0][2]`): unknown
   *   input, wrong rank or dimension, ragged arrays, wrong element type.
   */
  check(value: Record<string, unknown>): Map<string, number[]> {
    const violations: FieldViolation[] = [];
    if (!this.validate(value)) {
      const seen = new Set<string>();
      for (const issue of this.validate.errors ?? []) {
        const violation = this.describe(issue);
        if (violation === undefined || seen.has(violation.field)) continue;
        seen.add(violation.field);
        violations.push(violation);
      }
    }
    const shapes = new Map<string, number[]>();
    if (violations.length === 0) {
      for (const [name, data] of Object.entries(value)) {
        const spec = this.byName.get(name) as InputSpec;
        const shape = concreteShape(data, spec.shape.length, appendMember('inputs', name), violations);
        if (shape !== undefined) shapes.set(name, shape);
      }
    }
    if (violations.length > 0) throw inputsError(violations);
    return shapes;
  }

  private describe(issue: SchemaIssue): FieldViolation | undefined {
    const segments = issue.instancePath.split('/').slice(1);
    const name = segments[0]?.replace(/~1/g, '/').replace(/~0/g, '~');
    if (issue.keyword === 'additionalProperties') {
      const extra = String(issue.params['additionalProperty']);
      return { field: appendMember('inputs', extra), description: `the model has no input ${JSON.stringify(extra)}; its inputs are ${[...this.byName.keys()].join(', ')}` };
    }
    const field = jsonPointerToPath(issue.instancePath, 'inputs');
    const spec = name === undefined ? undefined : this.byName.get(name);
    if (spec === undefined) return { field: 'inputs', description: issue.message ?? 'is invalid' };
    const depth = segments.length - 1;
    const shapeText = `[${spec.shape.join(', ')}]`;
    if (depth < spec.shape.length) {
      const dim = spec.shape[depth] as number;
      if (issue.keyword === 'minItems' || issue.keyword === 'maxItems') return { field, description: `dimension ${depth} of input ${spec.name} (shape ${shapeText}) has ${dim} elements` };
      return { field, description: `input ${spec.name} has shape ${shapeText}: expected an array at dimension ${depth}` };
    }
    return { field, description: `input ${spec.name} takes ${spec.datatype} elements (${elementText(spec.datatype)})` };
  }
}

function elementText(datatype: string): string {
  const range = INT_RANGES[datatype];
  if (range !== undefined) return `integers in [${range[0]}, ${range[1]}]`;
  if (datatype === 'BOOL') return 'true or false';
  if (datatype === 'FP32' || datatype === 'FP64') return 'finite numbers';
  if (datatype === 'INT64' || datatype === 'UINT64') return 'integers, as decimal strings beyond 2^53';
  return 'strings';
}

/** The dimensions of a nested array of `rank`; a ragged array (siblings of different lengths) is a violation. */
function concreteShape(data: unknown, rank: number, path: string, violations: FieldViolation[]): number[] | undefined {
  const shape: number[] = [];
  let level: { value: unknown; path: string }[] = [{ value: data, path }];
  for (let depth = 0; depth < rank; depth += 1) {
    const first = level[0];
    const size = first !== undefined && Array.isArray(first.value) ? first.value.length : 0;
    shape.push(size);
    const next: { value: unknown; path: string }[] = [];
    for (const node of level) {
      const array = node.value as unknown[];
      if (array.length !== size) {
        if (violations.length < MAX_VIOLATIONS) violations.push({ field: node.path, description: `ragged array: has ${array.length} elements where ${first?.path} has ${size} (dimension ${depth})` });
        return undefined;
      }
      array.forEach((child, index) => next.push({ value: child, path: `${node.path}[${index}]` }));
    }
    level = next;
  }
  return shape;
}

/** The datatype of `spec` when the REST API can carry it (FP16/BF16 cannot be written as JSON here). */
export function carriedDatatype(datatype: string): string | undefined {
  return isOipDatatype(datatype) && CONTENTS_MEMBER[datatype] !== undefined ? datatype : undefined;
}

/** An INVALID_ARGUMENT for the predict body's inputs, listing at most {@link MAX_VIOLATIONS} fields. */
export function inputsError(violations: readonly FieldViolation[]): InvalidArgumentError {
  const listed = violations.slice(0, MAX_VIOLATIONS);
  const summary = listed
    .slice(0, 5)
    .map((violation) => `${violation.field}: ${violation.description}`)
    .join('; ');
  return new InvalidArgumentError(`invalid inputs (${violations.length} bad field${violations.length === 1 ? '' : 's'}): ${summary}`, listed);
}

import type { oipV1 } from '@strata/contracts';
import { type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';

import { CONTENTS_MEMBER, emptyContents, INT_RANGES, isOipDatatype, OIP_DATATYPES, type OipDatatype } from './oip-datatypes';

// Open Inference Protocol (KServe v2) REST JSON → inference.ModelInferRequest.
// Request body: { id?, parameters?, inputs: [{ name, shape, datatype, parameters?, data }],
// outputs?: [{ name, parameters? }] }; `data` is flat row-major or nested exactly as the shape.

/** Most field violations listed in one error; the rest are summed up in a last entry. */
export const MAX_FIELD_VIOLATIONS = 100;
/** Most dimensions of a tensor shape. */
export const MAX_RANK = 64;

/**
 * A request body that is not a valid Open Inference Protocol inference request: INVALID_ARGUMENT
 * (HTTP 400) listing every bad field by its JSON path (`inputs[0].data[3]`, `inputs[1].shape`,
 * `$` for the body itself), at most {@link MAX_FIELD_VIOLATIONS} of them. Its `name` stays
 * `InvalidArgumentError`; tell it apart with `instanceof`.
 */
export class OipRequestError extends InvalidArgumentError {}

/** The model an inference request is for (from the URL path). */
export interface InferTarget {
  readonly modelName: string;
  /** Decimal registry version; absent or '' = the model's traffic policy. */
  readonly modelVersion?: string;
}

const BIG_RANGES: Partial<Record<OipDatatype, readonly [bigint, bigint]>> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};
const DECIMAL_INTEGER = /^-?[0-9]{1,20}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// proto3 JSON spellings of non-finite floats: written in responses, refused in requests.
const NON_FINITE_SPELLINGS: ReadonlySet<unknown> = new Set(['NaN', 'Infinity', '-Infinity']);
const { fround } = Math;

class Violations {
  readonly list: FieldViolation[] = [];
  total = 0;

  add(field: string, description: string): void {
    this.total += 1;
    if (this.list.length < MAX_FIELD_VIOLATIONS) this.list.push({ field, description });
  }
}

/**
 * Reads an Open Inference Protocol REST inference request body (already parsed JSON) as the
 * gRPC `ModelInferRequest` for `target`. Tensor data go to the contents member of their
 * datatype (`raw_input_contents` stays empty); INT64/UINT64 elements may be JSON numbers (safe
 * integers) or decimal strings; BYTES elements are strings, sent as their UTF-8 bytes; FP32 and
 * FP64 elements are finite numbers (NaN and ±Infinity, spelt `"NaN"`, `"Infinity"`, `"-Infinity"`
 * or overflowing like `1e400`, are refused: no datatype takes them). `null` counts
 * as absent for the optional members (`id`, `parameters`, `outputs`). Unknown members are refused
 * (a misspelt `input` must not be ignored). FP16 and BF16 are refused: Strata serves neither.
 *
 * @throws {@link OipRequestError} listing every bad field; nothing else for any JSON value.
 */
export function parseInferRequest(json: unknown, target: InferTarget): oipV1.ModelInferRequest {
  const violations = new Violations();
  if (!isObject(json)) throw requestError([{ field: '$', description: `the body must be a JSON object, got ${kindOf(json)}` }], 1);
  checkMembers(json, ['id', 'parameters', 'inputs', 'outputs'], '', violations);
  const id = optionalString(json.id, 'id', violations);
  const parameters = parseParameters(json.parameters, 'parameters', violations);
  const inputs = parseInputs(json.inputs, violations);
  const outputs = parseOutputs(json.outputs, violations);
  if (violations.total > 0) throw requestError(violations.list, violations.total);
  return { modelName: target.modelName, modelVersion: target.modelVersion ?? '', id, parameters, inputs, outputs, rawInputContents: [] };
}

function requestError(list: readonly FieldViolation[], total: number): OipRequestError {
  const listed = total > list.length ? [...list, { field: '$', description: `${total - list.length} more bad fields not listed` }] : list;
  const summary = list
    .slice(0, 5)
    .map((violation) => `${violation.field}: ${violation.description}`)
    .join('; ');
  const more = total > 5 ? `; and ${total - 5} more` : '';
  return new OipRequestError(`invalid inference request (${total} bad field${total === 1 ? '' : 's'}): ${summary}${more}`, listed);
}

function parseInputs(value: unknown, violations: Violations): oipV1.ModelInferRequest_InferInputTensor[] {
  if (!Array.isArray(value) || value.length === 0) {
    violations.add('inputs', value === undefined ? 'is required: a non-empty array of input tensors' : `must be a non-empty array of input tensors, got ${kindOf(value)}`);
    return [];
  }
  const seen = new Set<string>();
  return value.map((tensor, index) => parseInput(tensor, `inputs[${index}]`, seen, violations));
}

function parseInput(value: unknown, path: string, seen: Set<string>, violations: Violations): oipV1.ModelInferRequest_InferInputTensor {
  const contents = emptyContents();
  if (!isObject(value)) {
    violations.add(path, `must be an input tensor object {name, shape, datatype, data}, got ${kindOf(value)}`);
    return { name: '', datatype: '', shape: [], parameters: {}, contents };
  }
  checkMembers(value, ['name', 'shape', 'datatype', 'parameters', 'data'], path, violations);
  const name = tensorName(value.name, `${path}.name`, seen, violations);
  const datatype = parseDatatype(value.datatype, `${path}.datatype`, violations);
  const shape = parseShape(value.shape, `${path}.shape`, violations);
  const parameters = parseParameters(value.parameters, `${path}.parameters`, violations);
  const dataPath = `${path}.data`;
  if (!Array.isArray(value.data)) {
    violations.add(dataPath, value.data === undefined ? 'is required: the tensor elements as an array' : `must be an array of tensor elements, got ${kindOf(value.data)}`);
  } else if (datatype !== undefined && shape !== undefined) {
    readData(value.data, shape, dataPath, elementReader(datatype, contents), violations);
  }
  return { name, datatype: datatype ?? '', shape: (shape ?? []).map(String), parameters, contents };
}

function parseOutputs(value: unknown, violations: Violations): oipV1.ModelInferRequest_InferRequestedOutputTensor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    violations.add('outputs', `must be an array of requested outputs, got ${kindOf(value)}`);
    return [];
  }
  const seen = new Set<string>();
  return value.map((output, index) => {
    const path = `outputs[${index}]`;
    if (!isObject(output)) {
      violations.add(path, `must be a requested output object {name, parameters?}, got ${kindOf(output)}`);
      return { name: '', parameters: {} };
    }
    checkMembers(output, ['name', 'parameters'], path, violations);
    return { name: tensorName(output.name, `${path}.name`, seen, violations), parameters: parseParameters(output.parameters, `${path}.parameters`, violations) };
  });
}

function tensorName(value: unknown, path: string, seen: Set<string>, violations: Violations): string {
  if (typeof value !== 'string' || value === '') {
    violations.add(path, value === undefined ? 'is required: the tensor name' : `must be a non-empty string, got ${kindOf(value)}`);
    return '';
  }
  if (seen.has(value)) violations.add(path, `${JSON.stringify(value)} appears more than once`);
  seen.add(value);
  return value;
}

function parseDatatype(value: unknown, path: string, violations: Violations): OipDatatype | undefined {
  if (!isOipDatatype(value)) {
    const allowed = OIP_DATATYPES.filter((datatype) => CONTENTS_MEMBER[datatype] !== undefined).join(', ');
    violations.add(path, value === undefined ? `is required: one of ${allowed}` : `must be one of ${allowed}, got ${describe(value)}`);
    return undefined;
  }
  if (CONTENTS_MEMBER[value] === undefined) {
    violations.add(path, `${value} is not supported (Strata models take no ${value} inputs); use FP32`);
    return undefined;
  }
  return value;
}

function parseShape(value: unknown, path: string, violations: Violations): number[] | undefined {
  if (!Array.isArray(value)) {
    violations.add(path, value === undefined ? 'is required: an array of dimension sizes' : `must be an array of dimension sizes, got ${kindOf(value)}`);
    return undefined;
  }
  if (value.length > MAX_RANK) {
    violations.add(path, `has ${value.length} dimensions; at most ${MAX_RANK} are allowed`);
    return undefined;
  }
  let valid = true;
  let count = 1;
  value.forEach((dim: unknown, index) => {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      violations.add(`${path}[${index}]`, `must be a non-negative integer (-1 is not allowed in a request), got ${describe(dim)}`);
      valid = false;
    } else count *= dim;
  });
  if (valid && !Number.isSafeInteger(count)) {
    violations.add(path, 'describes more elements than a request can carry');
    valid = false;
  }
  return valid ? (value as number[]) : undefined;
}

type ElementReader = (value: unknown) => string | undefined;

/** Walks `data` flat (row-major) or nested as `shape`, handing each element to `read` (which answers a complaint or nothing). */
function readData(data: readonly unknown[], shape: readonly number[], path: string, read: ElementReader, violations: Violations): void {
  const count = shape.reduce((product, dim) => product * dim, 1);
  const nested = shape.length >= 2 && data.some((element) => Array.isArray(element));
  if (!nested) {
    if (data.length !== count) {
      violations.add(path, `shape [${shape.join(', ')}] needs ${count} elements, got ${data.length} (give them flat in row-major order or nested as the shape)`);
      return;
    }
    data.forEach((element, index) => checkElement(element, `${path}[${index}]`, read, violations));
    return;
  }
  const walk = (node: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      checkElement(node, at, read, violations);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      violations.add(at, `nested data must follow shape [${shape.join(', ')}]: expected an array of ${shape[depth]} at dimension ${depth}, got ${Array.isArray(node) ? `an array of ${node.length}` : kindOf(node)}`);
      return;
    }
    node.forEach((child: unknown, index) => walk(child, depth + 1, `${at}[${index}]`));
  };
  walk(data, 0, path);
}

function checkElement(element: unknown, path: string, read: ElementReader, violations: Violations): void {
  const complaint = read(element);
  if (complaint !== undefined) violations.add(path, complaint);
}

/** Validates one element of `datatype` and appends it to its contents member. */
function elementReader(datatype: OipDatatype, contents: oipV1.InferTensorContents): ElementReader {
  const intRange = INT_RANGES[datatype];
  if (intRange !== undefined) {
    const [min, max] = intRange;
    const target = datatype.startsWith('U') ? contents.uintContents : contents.intContents;
    return (value) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return `${datatype} elements are integers in [${min}, ${max}], got ${describe(value)}`;
      target.push(value);
      return undefined;
    };
  }
  const bigRange = BIG_RANGES[datatype];
  if (bigRange !== undefined) {
    const [min, max] = bigRange;
    const target = datatype === 'INT64' ? contents.int64Contents : contents.uint64Contents;
    const expected = `${datatype} elements are integers in [${min}, ${max}] (JSON numbers up to 2^53, decimal strings beyond)`;
    return (value) => {
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return `${expected}; ${describe(value)} is beyond 2^53 and may have lost precision: send it as a decimal string`;
      const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' && DECIMAL_INTEGER.test(value) ? value : undefined;
      const parsed = text === undefined ? undefined : BigInt(text);
      if (parsed === undefined || parsed < min || parsed > max) return `${expected}, got ${describe(value)}`;
      target.push(parsed.toString());
      return undefined;
    };
  }
  switch (datatype) {
    case 'BOOL':
      return (value) => {
        if (typeof value !== 'boolean') return `BOOL elements are true or false, got ${describe(value)}`;
        contents.boolContents.push(value);
        return undefined;
      };
    case 'FP32':
      return (value) => {
        const complaint = floatComplaint('FP32', value);
        if (complaint !== undefined) return complaint;
        if (!Number.isFinite(fround(value as number))) return `${describe(value)} is outside the FP32 range (±3.4028235e38)`;
        contents.fp32Contents.push(value as number);
        return undefined;
      };
    case 'FP64':
      return (value) => {
        const complaint = floatComplaint('FP64', value);
        if (complaint !== undefined) return complaint;
        contents.fp64Contents.push(value as number);
        return undefined;
      };
    default:
      // BYTES (FP16/BF16 were refused with the datatype).
      return (value) => {
        if (typeof value !== 'string') return `BYTES elements are strings (sent as UTF-8), got ${describe(value)}`;
        if (LONE_SURROGATE.test(value)) return 'BYTES element has an unpaired UTF-16 surrogate (\\uD800-\\uDFFF): it has no UTF-8 form';
        contents.bytesContents.push(Buffer.from(value, 'utf8'));
        return undefined;
      };
  }
}

/**
 * Why `value` is not a float element, or nothing. Only finite numbers are: a JSON number beyond
 * the double range (`1e400`) parses as Infinity, and no datatype takes NaN or ±Infinity as input.
 */
function floatComplaint(datatype: 'FP32' | 'FP64', value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return undefined;
  if (typeof value === 'number' || NON_FINITE_SPELLINGS.has(value)) return `${datatype} elements must be finite numbers, got ${describe(value)} (NaN, Infinity and -Infinity are refused; a number beyond ±1.8e308 reads as Infinity)`;
  return `${datatype} elements are finite numbers, got ${describe(value)}`;
}

/**
 * `parameters` as InferParameters: booleans → bool_param, strings → string_param, safe
 * integers → int64_param, other numbers → double_param.
 */
function parseParameters(value: unknown, path: string, violations: Violations): Record<string, oipV1.InferParameter> {
  const parameters: Record<string, oipV1.InferParameter> = {};
  if (value === undefined || value === null) return parameters;
  if (!isObject(value)) {
    violations.add(path, `must be an object of named parameters, got ${kindOf(value)}`);
    return parameters;
  }
  for (const [key, entry] of Object.entries(value)) {
    let parameter: oipV1.InferParameter | undefined;
    if (typeof entry === 'boolean') parameter = { boolParam: entry };
    else if (typeof entry === 'string') parameter = { stringParam: entry };
    else if (typeof entry === 'number') parameter = Number.isSafeInteger(entry) ? { int64Param: String(entry) } : { doubleParam: entry };
    if (parameter === undefined) violations.add(memberPath(path, key), `a parameter is a boolean, number or string, got ${kindOf(entry)}`);
    // defineProperty: a parameter named "__proto__" must stay a plain entry.
    else Object.defineProperty(parameters, key, { value: parameter, enumerable: true, writable: true, configurable: true });
  }
  return parameters;
}

function optionalString(value: unknown, path: string, violations: Violations): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  violations.add(path, `must be a string, got ${kindOf(value)}`);
  return '';
}

function checkMembers(value: Record<string, unknown>, known: readonly string[], path: string, violations: Violations): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) violations.add(memberPath(path, key), `is not a member of this object (expected ${known.join(', ')})`);
  }
}

function memberPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path === '' ? '$' : path}[${JSON.stringify(key)}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${describe(value)}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

import type { oipV1 } from '@strata/contracts';

import { CONTENTS_MEMBER, isOipDatatype, type OipDatatype } from './oip-datatypes';

// inference.* gRPC responses → Open Inference Protocol (KServe v2) REST JSON.

/** A parameter value in JSON. */
export type ParameterJson = boolean | number | string;

/**
 * A tensor element in JSON: booleans (BOOL), numbers, strings (BYTES; INT64/UINT64 beyond 2^53;
 * `"NaN"`, `"Infinity"`, `"-Infinity"` for non-finite floats).
 */
export type ElementJson = boolean | number | string;

/** An output tensor of an inference response. */
export interface OutputTensorJson {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, ParameterJson>;
  /** Flat, row-major. */
  data: ElementJson[];
}

/** `POST /v2/models/{name}[/versions/{version}]/infer` response body. */
export interface InferResponseJson {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, ParameterJson>;
  outputs: OutputTensorJson[];
}

/** A tensor of model metadata. */
export interface TensorMetadataJson {
  name: string;
  datatype: string;
  shape: number[];
}

/** `GET /v2/models/{name}[/versions/{version}]` response body. */
export interface ModelMetadataJson {
  name: string;
  versions?: string[];
  platform: string;
  inputs: TensorMetadataJson[];
  outputs: TensorMetadataJson[];
}

/** `GET /v2` response body. */
export interface ServerMetadataJson {
  name: string;
  version: string;
  extensions: string[];
}

/** A health answer: the HTTP status and the body. */
export interface HealthJson {
  readonly statusCode: 200 | 400;
  readonly body: { live: boolean } | { ready: boolean };
}

/** An upstream response that cannot be written as protocol JSON (answer 502: a bug upstream, not the caller's). */
export class OipResponseError extends Error {
  override readonly name = 'OipResponseError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const { abs, floor, fround } = Math;

/**
 * A `ModelInferResponse` as the protocol's response JSON. Each output's `data` is flat
 * (row-major), from the contents member of its datatype or, when the response uses
 * `raw_output_contents`, from its raw little-endian bytes (BYTES as 4-byte length-prefixed
 * elements; FP16/BF16 decoded to numbers). INT64/UINT64 are numbers up to 2^53 and decimal
 * strings beyond (a JSON number would silently lose digits in most clients); FP32 values are
 * written in their shortest decimal form that reads back as the same float32 (`0.1`, not
 * `0.10000000149011612`); non-finite floats as `"NaN"`, `"Infinity"`, `"-Infinity"` (proto3
 * JSON); BYTES as UTF-8 strings. Empty `model_version`, `id` and `parameters` are omitted.
 *
 * @throws {@link OipResponseError} for an unknown datatype, BYTES that are not UTF-8 or raw
 * contents that do not fit the datatype.
 */
export function toInferResponseJson(response: oipV1.ModelInferResponse): InferResponseJson {
  const raw = response.rawOutputContents;
  const json: InferResponseJson = { model_name: response.modelName, outputs: [] };
  if (response.modelVersion !== '') json.model_version = response.modelVersion;
  if (response.id !== '') json.id = response.id;
  const parameters = parametersJson(response.parameters);
  if (parameters !== undefined) json.parameters = parameters;
  json.outputs = response.outputs.map((output, index) => {
    const datatype = output.datatype;
    if (!isOipDatatype(datatype)) throw new OipResponseError(`output "${output.name}" has datatype ${JSON.stringify(datatype)}, not an Open Inference Protocol datatype`);
    const tensor: OutputTensorJson = { name: output.name, shape: output.shape.map(Number), datatype, data: [] };
    const outputParameters = parametersJson(output.parameters);
    if (outputParameters !== undefined) tensor.parameters = outputParameters;
    const bytes = raw.length > 0 ? raw[index] : undefined;
    tensor.data = bytes !== undefined ? fromRaw(output.name, datatype, bytes) : fromContents(output.name, datatype, output.contents);
    return tensor;
  });
  return json;
}

/** A `ModelMetadataResponse` as the protocol's JSON; `versions` is omitted when empty. Shapes as numbers (-1 = variable). */
export function toModelMetadataJson(metadata: oipV1.ModelMetadataResponse): ModelMetadataJson {
  const tensor = (entry: oipV1.ModelMetadataResponse_TensorMetadata): TensorMetadataJson => ({ name: entry.name, datatype: entry.datatype, shape: entry.shape.map(Number) });
  return {
    name: metadata.name,
    ...(metadata.versions.length > 0 ? { versions: [...metadata.versions] } : {}),
    platform: metadata.platform,
    inputs: metadata.inputs.map(tensor),
    outputs: metadata.outputs.map(tensor),
  };
}

/** A `ServerMetadataResponse` as the protocol's JSON. */
export function toServerMetadataJson(metadata: oipV1.ServerMetadataResponse): ServerMetadataJson {
  return { name: metadata.name, version: metadata.version, extensions: [...metadata.extensions] };
}

/**
 * A live/ready answer. The protocol says the status code carries the answer ("200 indicates
 * true and a 4xx status code indicates false"); Strata answers 200 or 400 (as Triton does) and
 * also sends KServe's body `{ "live": … }` / `{ "ready": … }`. An upstream that cannot be
 * asked at all is an error (503 problem+json with Retry-After), not a `false`.
 */
export function toHealthJson(kind: 'live' | 'ready', value: boolean): HealthJson {
  return { statusCode: value ? 200 : 400, body: kind === 'live' ? { live: value } : { ready: value } };
}

/** The protocol's error body, `{ "error": "<message>" }`. */
export function toOipErrorJson(message: string): { error: string } {
  return { error: message };
}

function parametersJson(parameters: Readonly<Record<string, oipV1.InferParameter>> | undefined): Record<string, ParameterJson> | undefined {
  const entries = Object.entries(parameters ?? {});
  if (entries.length === 0) return undefined;
  const json: Record<string, ParameterJson> = {};
  for (const [key, parameter] of entries) {
    const value = parameterValue(parameter);
    if (value !== undefined) Object.defineProperty(json, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return json;
}

function parameterValue(parameter: oipV1.InferParameter | null | undefined): ParameterJson | undefined {
  if (parameter === null || parameter === undefined) return undefined;
  if (parameter.boolParam !== undefined && parameter.boolParam !== null) return parameter.boolParam;
  if (parameter.int64Param !== undefined && parameter.int64Param !== null) return integerJson(parameter.int64Param);
  if (parameter.stringParam !== undefined && parameter.stringParam !== null) return parameter.stringParam;
  if (parameter.doubleParam !== undefined && parameter.doubleParam !== null) return floatJson(parameter.doubleParam);
  if (parameter.uint64Param !== undefined && parameter.uint64Param !== null) return integerJson(parameter.uint64Param);
  return undefined;
}

function fromContents(name: string, datatype: OipDatatype, contents: oipV1.InferTensorContents | null | undefined): ElementJson[] {
  const member = CONTENTS_MEMBER[datatype];
  if (member === undefined || contents === null || contents === undefined) return [];
  switch (datatype) {
    case 'INT64':
    case 'UINT64':
      return contents[member].map((value) => integerJson(String(value)));
    case 'FP32':
      return contents.fp32Contents.map(float32Json);
    case 'FP64':
      return contents.fp64Contents.map(floatJson);
    case 'BYTES':
      return contents.bytesContents.map((bytes, index) => utf8Of(name, index, bytes));
    default:
      return [...(contents[member] as (boolean | number)[])];
  }
}

type RawReader = (view: DataView, offset: number) => ElementJson;
const RAW: Partial<Record<OipDatatype, readonly [number, RawReader]>> = {
  BOOL: [1, (view, offset) => view.getUint8(offset) !== 0],
  UINT8: [1, (view, offset) => view.getUint8(offset)],
  UINT16: [2, (view, offset) => view.getUint16(offset, true)],
  UINT32: [4, (view, offset) => view.getUint32(offset, true)],
  UINT64: [8, (view, offset) => integerJson(view.getBigUint64(offset, true).toString())],
  INT8: [1, (view, offset) => view.getInt8(offset)],
  INT16: [2, (view, offset) => view.getInt16(offset, true)],
  INT32: [4, (view, offset) => view.getInt32(offset, true)],
  INT64: [8, (view, offset) => integerJson(view.getBigInt64(offset, true).toString())],
  FP16: [2, (view, offset) => float32Json(halfToNumber(view.getUint16(offset, true)))],
  BF16: [2, (view, offset) => float32Json(bfloat16ToNumber(view.getUint16(offset, true)))],
  FP32: [4, (view, offset) => float32Json(view.getFloat32(offset, true))],
  FP64: [8, (view, offset) => floatJson(view.getFloat64(offset, true))],
};

function fromRaw(name: string, datatype: OipDatatype, bytes: Uint8Array): ElementJson[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data: ElementJson[] = [];
  if (datatype === 'BYTES') {
    let offset = 0;
    while (offset < bytes.byteLength) {
      if (offset + 4 > bytes.byteLength) throw new OipResponseError(`output "${name}": raw BYTES element ${data.length} has a truncated length prefix`);
      const length = view.getUint32(offset, true);
      const end = offset + 4 + length;
      if (end > bytes.byteLength) throw new OipResponseError(`output "${name}": raw BYTES element ${data.length} runs past the end of its contents`);
      data.push(utf8Of(name, data.length, bytes.subarray(offset + 4, end)));
      offset = end;
    }
    return data;
  }
  const layout = RAW[datatype];
  if (layout === undefined) throw new OipResponseError(`output "${name}": ${datatype} has no raw layout`);
  const [size, read] = layout;
  if (bytes.byteLength % size !== 0) throw new OipResponseError(`output "${name}": ${bytes.byteLength} raw bytes are not a whole number of ${datatype} elements`);
  for (let offset = 0; offset < bytes.byteLength; offset += size) data.push(read(view, offset));
  return data;
}

function utf8Of(name: string, index: number, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new OipResponseError(`output "${name}": BYTES element ${index} is not UTF-8 text`);
  }
}

function integerJson(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

function floatJson(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

// 10^0 … 10^22, exact doubles (parsed, not computed: `10 ** i` may round).
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => Number(`1e${exponent}`));

/** `mantissa` × 10^`scale`, correctly rounded (as parsing "<mantissa>e<scale>" would be), without parsing when it can. */
function decimal(mantissa: number, scale: number): number {
  // One IEEE multiplication or division of exact operands is correctly rounded.
  if (scale >= 0 && scale <= 22) return mantissa * POWERS_OF_TEN[scale];
  if (scale < 0 && scale >= -22) return mantissa / POWERS_OF_TEN[-scale];
  return Number(`${mantissa}e${scale}`);
}

/**
 * The shortest decimal that reads back as the same float32 (`0.1` for float32(0.1)). One
 * `toExponential` (9 significant digits always round-trip), then a binary search over the digit
 * count, trying the truncated and the rounded-up prefix: both move towards the value as digits
 * are added, so round-tripping is monotonic in the count.
 */
export function float32Json(value: number): number | string {
  if (!Number.isFinite(value)) return String(value);
  const single = fround(value);
  if (single === 0) return 0;
  const magnitude = abs(single);
  const text = magnitude.toExponential(8);
  const mark = text.indexOf('e');
  const digits = Number(`${text[0]}${text.slice(2, mark)}`);
  const exponent = Number(text.slice(mark + 1));
  let best = decimal(digits, exponent - 8);
  let low = 1;
  let high = 9;
  while (low < high) {
    const count = (low + high) >> 1;
    const dropped = POWERS_OF_TEN[9 - count];
    const prefix = floor(digits / dropped);
    const roundUpFirst = floor((digits % dropped) / POWERS_OF_TEN[8 - count]) >= 5;
    const scale = exponent - count + 1;
    const first = decimal(roundUpFirst ? prefix + 1 : prefix, scale);
    const second = decimal(roundUpFirst ? prefix : prefix + 1, scale);
    const candidate = fround(first) === magnitude ? first : fround(second) === magnitude ? second : undefined;
    if (candidate === undefined) low = count + 1;
    else {
      best = candidate;
      high = count;
    }
  }
  return single < 0 ? -best : best;
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function bfloat16ToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

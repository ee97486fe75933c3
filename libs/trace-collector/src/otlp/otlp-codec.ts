// OTLP/HTTP trace payloads in both encodings (binary protobuf and the OTLP JSON mapping) ->
// normalized TraceSpans, and the response bodies a receiver answers with.
import type { SpanAttributeValue, SpanKindName, SpanStatusCode, TraceSpan } from '../trace-span';
import { otlpTypes } from './otlp-protos';

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'protobuf' | 'json';

/** The body is not an ExportTraceServiceRequest in the encoding its Content-Type claims. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/** What one export request carried. */
export interface DecodedExport {
  readonly spans: TraceSpan[];
  /** Spans left out because they were malformed (bad IDs or times). */
  readonly rejectedSpans: number;
  /** Why the first rejected span was rejected. */
  readonly rejectReason?: string;
}

const SPAN_KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES: readonly SpanStatusCode[] = ['UNSET', 'OK', 'ERROR'];
const UNKNOWN_SERVICE = 'unknown_service';
const NANOS = /^\d{1,20}$/;
const MAX_UINT64 = 2n ** 64n - 1n;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${what} is not an array`);
  return value;
}

/**
 * A trace or span ID as lower-case hex. The JSON mapping of OTLP sends hex; protobuf bytes
 * arrive here as base64 (protobufjs `toObject`), which is never valid hex of the same length.
 */
function hexId(value: unknown, bytes: number): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === bytes ? decoded.toString('hex') : undefined;
}

function isZero(hex: string): boolean {
  return /^0+$/.test(hex);
}

function nanos(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !NANOS.test(text) || BigInt(text) > MAX_UINT64) return undefined;
  return BigInt(text).toString();
}

/** An enum from the JSON mapping: its number, or its name with or without the prefix. */
function enumValue<T extends string>(value: unknown, names: readonly T[], prefix: string, fallback: T): T {
  if (typeof value === 'number') return names[value] ?? fallback;
  if (typeof value === 'string') {
    const name = value.startsWith(prefix) ? value.slice(prefix.length) : value;
    if ((names as readonly string[]).includes(name)) return name as T;
  }
  return fallback;
}

function integer(value: unknown): SpanAttributeValue {
  const text = String(value);
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
}

/** The plain value of an AnyValue: arrays and maps stay structured (for JSON.stringify). */
function plainValue(value: unknown): unknown {
  if (!isObject(value)) return null;
  if ('stringValue' in value) return String(value['stringValue']);
  if ('boolValue' in value) return value['boolValue'] === true;
  if ('intValue' in value) return integer(value['intValue']);
  if ('doubleValue' in value) return typeof value['doubleValue'] === 'number' ? value['doubleValue'] : String(value['doubleValue']);
  if ('bytesValue' in value) return String(value['bytesValue']);
  if ('arrayValue' in value) return arrayOf(isObject(value['arrayValue']) ? value['arrayValue']['values'] : undefined, 'arrayValue.values').map(plainValue);
  if ('kvlistValue' in value) {
    const entries = arrayOf(isObject(value['kvlistValue']) ? value['kvlistValue']['values'] : undefined, 'kvlistValue.values');
    return Object.fromEntries(entries.filter(isObject).map((entry) => [String(entry['key']), plainValue(entry['value'])]));
  }
  return null;
}

/** Adds `key` to `out` flattened: scalars as they are, arrays as JSON, maps as `key.member` entries. */
function flattenInto(out: Record<string, SpanAttributeValue>, key: string, value: unknown): void {
  if (isObject(value) && 'kvlistValue' in value) {
    const entries = arrayOf(isObject(value['kvlistValue']) ? value['kvlistValue']['values'] : undefined, 'kvlistValue.values');
    for (const entry of entries) if (isObject(entry)) flattenInto(out, `${key}.${String(entry['key'])}`, entry['value']);
    return;
  }
  const plain = plainValue(value);
  if (plain === null) return;
  out[key] = typeof plain === 'object' ? JSON.stringify(plain) : (plain as SpanAttributeValue);
}

function attributesOf(list: unknown, what: string): Record<string, SpanAttributeValue> {
  const out: Record<string, SpanAttributeValue> = {};
  for (const entry of arrayOf(list, what)) {
    if (isObject(entry) && typeof entry['key'] === 'string') flattenInto(out, entry['key'], entry['value']);
  }
  return out;
}

type SpanResult = { span: TraceSpan } | { rejected: string };

function spanOf(raw: unknown, serviceName: string, scopeName: string | undefined): SpanResult {
  if (!isObject(raw)) return { rejected: 'a span is not an object' };
  const traceId = hexId(raw['traceId'], 16);
  const spanId = hexId(raw['spanId'], 8);
  if (traceId === undefined || isZero(traceId)) return { rejected: `span ${String(raw['name'])}: traceId is not 16 non-zero bytes` };
  if (spanId === undefined || isZero(spanId)) return { rejected: `span ${String(raw['name'])}: spanId is not 8 non-zero bytes` };
  const parent = hexId(raw['parentSpanId'], 8);
  const start = nanos(raw['startTimeUnixNano']);
  const end = nanos(raw['endTimeUnixNano']) ?? start;
  if (start === undefined || end === undefined) return { rejected: `span ${String(raw['name'])}: startTimeUnixNano is not an unsigned 64-bit integer` };
  const status = isObject(raw['status']) ? raw['status'] : {};
  const statusMessage = typeof status['message'] === 'string' && status['message'] !== '' ? status['message'] : undefined;
  const durationNanos = BigInt(end) - BigInt(start);
  const span: TraceSpan = {
    traceId,
    spanId,
    ...(parent === undefined || isZero(parent) ? {} : { parentSpanId: parent }),
    name: typeof raw['name'] === 'string' ? raw['name'] : '',
    kind: enumValue(raw['kind'], SPAN_KINDS, 'SPAN_KIND_', 'UNSPECIFIED'),
    serviceName,
    ...(scopeName === undefined ? {} : { scopeName }),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    startTimeMs: Number(BigInt(start) / 1000n) / 1000,
    durationMs: Number(durationNanos < 0n ? 0n : durationNanos) / 1e6,
    status: { code: enumValue(status['code'], STATUS_CODES, 'STATUS_CODE_', 'UNSET'), ...(statusMessage === undefined ? {} : { message: statusMessage }) },
    attributes: attributesOf(raw['attributes'], 'span attributes'),
  };
  return { span };
}

/** Normalizes an ExportTraceServiceRequest in its JSON form (protobuf bytes as base64 or hex). */
function normalize(request: unknown): DecodedExport {
  if (!isObject(request)) throw new OtlpDecodeError('the body is not a JSON object');
  const spans: TraceSpan[] = [];
  let rejectedSpans = 0;
  let rejectReason: string | undefined;
  for (const resourceSpans of arrayOf(request['resourceSpans'], 'resourceSpans')) {
    if (!isObject(resourceSpans)) throw new OtlpDecodeError('a resourceSpans entry is not an object');
    const resource = isObject(resourceSpans['resource']) ? attributesOf(resourceSpans['resource']['attributes'], 'resource attributes') : {};
    const serviceName = typeof resource['service.name'] === 'string' && resource['service.name'] !== '' ? resource['service.name'] : UNKNOWN_SERVICE;
    for (const scopeSpans of arrayOf(resourceSpans['scopeSpans'], 'scopeSpans')) {
      if (!isObject(scopeSpans)) throw new OtlpDecodeError('a scopeSpans entry is not an object');
      const scope = isObject(scopeSpans['scope']) && typeof scopeSpans['scope']['name'] === 'string' && scopeSpans['scope']['name'] !== '' ? scopeSpans['scope']['name'] : undefined;
      for (const raw of arrayOf(scopeSpans['spans'], 'spans')) {
        const result = spanOf(raw, serviceName, scope);
        if ('span' in result) spans.push(result.span);
        else {
          rejectedSpans += 1;
          rejectReason ??= result.rejected;
        }
      }
    }
  }
  return { spans, rejectedSpans, ...(rejectReason === undefined ? {} : { rejectReason }) };
}

/** Decodes the body of `POST /v1/traces`. Throws {@link OtlpDecodeError} when it is not a valid request. */
export function decodeExportRequest(body: Buffer, encoding: OtlpEncoding): DecodedExport {
  if (encoding === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new OtlpDecodeError(`the body is not JSON: ${(error as Error).message}`);
    }
    return normalize(parsed);
  }
  const { exportRequest } = otlpTypes();
  let message;
  try {
    message = exportRequest.decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`the body is not an ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  return normalize(exportRequest.toObject(message, { longs: String, bytes: String, defaults: false, arrays: true }));
}

/** An encoded response body and its Content-Type. */
export interface EncodedBody {
  readonly contentType: string;
  readonly body: Buffer;
}

const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** ExportTraceServiceResponse: empty, or with `partial_success` when spans were rejected. */
export function encodeExportResponse(encoding: OtlpEncoding, rejectedSpans = 0, errorMessage = ''): EncodedBody {
  const response = rejectedSpans > 0 ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
  if (encoding === 'json') {
    const json = rejectedSpans > 0 ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
    return { contentType: CONTENT_TYPES.json, body: Buffer.from(JSON.stringify(json)) };
  }
  const { exportResponse } = otlpTypes();
  return { contentType: CONTENT_TYPES.protobuf, body: Buffer.from(exportResponse.encode(exportResponse.fromObject(response)).finish()) };
}

/** google.rpc.Status, the body OTLP/HTTP prescribes for a failed export. */
export function encodeRpcStatus(encoding: OtlpEncoding, code: number, message: string): EncodedBody {
  if (encoding === 'json') return { contentType: CONTENT_TYPES.json, body: Buffer.from(JSON.stringify({ code, message })) };
  const { rpcStatus } = otlpTypes();
  return { contentType: CONTENT_TYPES.protobuf, body: Buffer.from(rpcStatus.encode(rpcStatus.fromObject({ code, message })).finish()) };
}

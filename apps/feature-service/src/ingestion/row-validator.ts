import type { commonV1 } from '@strata/contracts';
import { fromTimestamp, impossibleInstantText, parseInstantText } from '@strata/service-runtime';
import type { Scalar } from '../shared/scalar';
import type { FieldSchema, Source, ValidEvent } from '../source/source';
import { type RejectionReason, RowRejectedError } from './rejection';

/** The outcome of validating one row: the event, or why it was rejected. */
export type RowValidation = { readonly ok: true; readonly event: ValidEvent } | { readonly ok: false; readonly rejection: RowRejectedError };

/** Converts one raw value of a field; returns the stored scalar or throws a {@link RowRejectedError}. `undefined`/`null` never reach it. */
type FieldConverter = (value: unknown) => Scalar;

interface FieldChecker {
  readonly name: string;
  readonly nullable: boolean;
  readonly convert: FieldConverter;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})$/;
const SLASH_DATE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const INTEGER = /^[+-]?\d+$/;
const MAX_ALLOWED_IN_MESSAGE = 10;

/**
 * Validates event rows against one source version: every declared field is checked for
 * presence (non-nullable), type (with the conversions file formats need), bounds, allowed
 * values and length; undeclared fields are refused. Per-field converters are built once
 * per source, so validating millions of rows allocates little beyond the payload itself.
 *
 * File rows (`validateRecord`) may carry numbers as numeric strings (CSV), bigints and Dates
 * (Parquet), timestamps as RFC 3339 strings, epoch milliseconds or the `YYYY/MM/DD HH:MM`
 * form of the flights files (read as UTC), booleans as `true`/`false`. Stream rows
 * (`validateWire`) carry strata.common.v1.Value members.
 */
export class RowValidator {
  private readonly checkers: readonly FieldChecker[];
  private readonly known: ReadonlySet<string>;
  private readonly keyIndexes: readonly number[];
  private readonly timeIndex: number;
  private lastTimeText: string | undefined;
  private lastTimeMs = Number.NaN;

  constructor(readonly source: Source) {
    const { spec } = source;
    this.checkers = spec.fields.map((field) => ({ name: field.name, nullable: field.nullable, convert: converterOf(field) }));
    this.known = new Set(spec.fields.map((field) => field.name));
    this.keyIndexes = spec.entityKeyFields.map((name) => spec.fields.findIndex((field) => field.name === name));
    this.timeIndex = spec.fields.findIndex((field) => field.name === spec.eventTimeField);
  }

  /** Validates a row read from a file (or a quarantined row being replayed). */
  validateRecord(row: Readonly<Record<string, unknown>>): RowValidation {
    for (const name in row) {
      if (!this.known.has(name)) return rejected('UNKNOWN_FIELD', name, `unknown field ${name} (source ${this.source.spec.name} v${this.source.version} does not declare it)`);
    }
    const payload: Record<string, Scalar> = {};
    const checkers = this.checkers;
    for (let index = 0; index < checkers.length; index += 1) {
      const checker = checkers[index] as FieldChecker;
      const raw = row[checker.name];
      if (raw === undefined || raw === null || raw === '') {
        if (!checker.nullable) return rejected('MISSING_FIELD', checker.name, `${checker.name} is missing (the field is not nullable)`);
        payload[checker.name] = null;
        continue;
      }
      try {
        payload[checker.name] = checker.convert(raw);
      } catch (error) {
        if (error instanceof RowRejectedError) return { ok: false, rejection: error };
        throw error;
      }
    }
    return { ok: true, event: this.eventOf(payload) };
  }

  /** Validates a row received by IngestEvents (wire Values by field name). */
  validateWire(fields: Readonly<Record<string, commonV1.Value | null | undefined>>): RowValidation {
    const row: Record<string, unknown> = {};
    for (const name in fields) {
      const value = fields[name];
      row[name] = wireScalarOf(value);
    }
    return this.validateRecord(row);
  }

  private eventOf(payload: Record<string, Scalar>): ValidEvent {
    const checkers = this.checkers;
    let entityKey = '';
    for (let position = 0; position < this.keyIndexes.length; position += 1) {
      const value = payload[(checkers[this.keyIndexes[position] as number] as FieldChecker).name];
      entityKey = position === 0 ? String(value) : `${entityKey}|${String(value)}`;
    }
    const time = payload[(checkers[this.timeIndex] as FieldChecker).name] as string;
    // The converter's RFC 3339 text; parsed once per distinct instant (rows sorted by time repeat them).
    if (time !== this.lastTimeText) {
      this.lastTimeText = time;
      this.lastTimeMs = Date.parse(time);
    }
    return { payload, entityKey, eventTime: new Date(this.lastTimeMs) };
  }
}

/**
 * Why `entityId` can never be the entity key of an accepted event of a source with `fields`,
 * keyed by `keyFields` (the key values as ingestion writes them, joined with `|`), or
 * undefined when it can: a wrong number of parts, or a part no accepted event carries — not
 * of its field's type, outside its bounds or allowed values, or written otherwise (`007` for
 * the INT64 7). A key field the source does not declare is not checked.
 */
export function entityIdProblem(fields: readonly FieldSchema[], keyFields: readonly string[], entityId: string): string | undefined {
  const schemas = keyFields.map((name) => fields.find((field) => field.name === name));
  if (schemas.length === 0 || schemas.some((schema) => schema === undefined)) return undefined;
  const parts = schemas.length === 1 ? [entityId] : entityId.split('|');
  if (parts.length !== schemas.length) {
    // A STRING key value may itself contain "|": more parts than key fields is then ambiguous.
    if (parts.length > schemas.length && schemas.some((schema) => schema?.type === 'STRING')) return undefined;
    return `${parts.length} part${parts.length === 1 ? '' : 's'} where the key (${keyFields.join(', ')}) has ${schemas.length}; join the values with "|", e.g. "${keyFields.map((name) => `<${name}>`).join('|')}"`;
  }
  for (let index = 0; index < parts.length; index += 1) {
    const schema = schemas[index] as FieldSchema;
    const part = parts[index] as string;
    if (part === 'null' && schema.nullable) continue;
    let written: string;
    try {
      if (part === '') throw new RowRejectedError('MISSING_FIELD', schema.name, `${schema.name} is empty`);
      written = String(converterOf(schema)(part));
    } catch (error) {
      if (error instanceof RowRejectedError) return `key field ${error.message}, so no event has this key`;
      throw error;
    }
    if (written !== part) return `key field ${schema.name} is written ${JSON.stringify(written)} in entity keys, not ${JSON.stringify(part)}`;
  }
  return undefined;
}

/** Values of a wire row as the file path sees them: typed members become JS values the converters accept. */
function wireScalarOf(value: commonV1.Value | null | undefined): unknown {
  if (value === null || value === undefined) return null;
  const kind = (value as { kind?: string }).kind;
  switch (kind ?? memberOf(value)) {
    case 'doubleValue':
      return Number(value.doubleValue);
    case 'int64Value':
      return new WireInt64(String(value.int64Value));
    case 'stringValue':
      return new WireString(String(value.stringValue));
    case 'boolValue':
      return Boolean(value.boolValue);
    case 'timestampValue':
      return fromTimestamp(value.timestampValue) ?? null;
    default:
      return null;
  }
}

function memberOf(value: commonV1.Value): string | undefined {
  for (const member of ['doubleValue', 'int64Value', 'stringValue', 'boolValue', 'timestampValue', 'nullReason'] as const) {
    if (value[member] !== undefined && value[member] !== null) return member;
  }
  return undefined;
}

/** An int64 received on the wire (kept apart from strings so a STRING field does not accept it silently). */
class WireInt64 {
  constructor(readonly text: string) {}
}

/** A string received on the wire: a typed Value, so no CSV-style conversion to numbers applies. */
class WireString {
  constructor(readonly text: string) {}
}

function rejected(reason: RejectionReason, field: string, message: string): RowValidation {
  return { ok: false, rejection: new RowRejectedError(reason, field, message) };
}

function show(value: unknown): string {
  if (value instanceof WireInt64) return value.text;
  if (value instanceof WireString) return JSON.stringify(value.text);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value)?.slice(0, 60) ?? String(value);
  return String(value);
}

function mismatch(field: FieldSchema, value: unknown, expected: string): never {
  throw new RowRejectedError('TYPE_MISMATCH', field.name, `${field.name}=${show(value)} is not ${expected}`);
}

function converterOf(field: FieldSchema): FieldConverter {
  switch (field.type) {
    case 'DOUBLE':
      return withBounds(field, doubleOf(field));
    case 'INT64':
      return withBounds(field, int64Of(field));
    case 'STRING':
      return stringOf(field);
    case 'BOOL':
      return boolOf(field);
    case 'TIMESTAMP':
      return timestampOf(field);
  }
}

function doubleOf(field: FieldSchema): FieldConverter {
  return (value) => {
    let number: number;
    if (typeof value === 'number') number = value;
    else if (typeof value === 'bigint') number = Number(value);
    else if (value instanceof WireInt64) number = Number(value.text);
    else if (typeof value === 'string' && value.trim() !== '') number = Number(value);
    else return mismatch(field, value, 'a number (DOUBLE)');
    if (!Number.isFinite(number)) return mismatch(field, value, 'a finite number (DOUBLE)');
    return number;
  };
}

function int64Of(field: FieldSchema): FieldConverter {
  return (value) => {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) return mismatch(field, value, 'an integer (INT64)');
      return value;
    }
    if (typeof value === 'bigint') {
      // Parquet INT64: converted directly when exact (|value| <= 2^53 - 1), as text beyond.
      const number = Number(value);
      if (Number.isSafeInteger(number)) return number;
    }
    let text: string;
    if (typeof value === 'bigint') text = value.toString();
    else if (value instanceof WireInt64) text = value.text;
    else if (typeof value === 'string' && INTEGER.test(value.trim())) text = value.trim();
    else return mismatch(field, value, 'an integer (INT64)');
    const number = Number(text);
    if (Number.isSafeInteger(number)) return number;
    const big = BigInt(text);
    if (big > 9223372036854775807n || big < -9223372036854775808n) return mismatch(field, value, 'a 64-bit integer (INT64)');
    return big.toString();
  };
}

function withBounds(field: FieldSchema, convert: FieldConverter): FieldConverter {
  const { min, max } = field;
  if (min === undefined && max === undefined) return convert;
  return (value) => {
    const converted = convert(value);
    const number = Number(converted);
    if (min !== undefined && number < min) throw new RowRejectedError('OUT_OF_RANGE', field.name, `${field.name}=${String(converted)} is below min ${min}`);
    if (max !== undefined && number > max) throw new RowRejectedError('OUT_OF_RANGE', field.name, `${field.name}=${String(converted)} is above max ${max}`);
    return converted;
  };
}

function stringOf(field: FieldSchema): FieldConverter {
  const allowed = field.allowedValues.length === 0 ? undefined : new Set(field.allowedValues);
  const allowedText = field.allowedValues.slice(0, MAX_ALLOWED_IN_MESSAGE).join(', ') + (field.allowedValues.length > MAX_ALLOWED_IN_MESSAGE ? ', …' : '');
  const { maxLength } = field;
  return (value) => {
    let text: string;
    if (typeof value === 'string') text = value;
    else if (value instanceof WireString) text = value.text;
    // File formats without types (JSON numbers as codes, Parquet integers) convert losslessly.
    else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
    else return mismatch(field, value, 'a string (STRING)');
    if (maxLength !== undefined && text.length > maxLength) {
      const length = [...text].length; // code points, only computed for long strings
      if (length > maxLength) throw new RowRejectedError('TOO_LONG', field.name, `${field.name} is ${length} characters long, max ${maxLength}`);
    }
    if (allowed !== undefined && !allowed.has(text)) throw new RowRejectedError('NOT_ALLOWED_VALUE', field.name, `${field.name}=${show(text)} is not one of the allowed values (${allowedText})`);
    return text;
  };
}

function boolOf(field: FieldSchema): FieldConverter {
  return (value) => {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string') {
      const lower = value.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
    }
    return mismatch(field, value, 'a boolean (BOOL: true or false)');
  };
}

function timestampOf(field: FieldSchema): FieldConverter {
  const expected = 'a timestamp (RFC 3339, epoch milliseconds or YYYY/MM/DD HH:MM UTC)';
  let lastInstant = Number.NaN;
  let lastText = '';
  return (value) => {
    let ms: number;
    if (value instanceof Date) ms = value.getTime();
    else if (typeof value === 'number') ms = value;
    else if (typeof value === 'bigint') ms = Number(value);
    else if (typeof value === 'string') {
      const impossible = impossibleInstantText(value);
      if (impossible !== undefined) return mismatch(field, value, `a real time (${impossible})`);
      ms = parseTimestampText(value);
    } else return mismatch(field, value, expected);
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return mismatch(field, value, expected);
    // Rows of a file sorted by time repeat instants: the last one's text is reused.
    const instant = Math.trunc(ms);
    if (instant !== lastInstant) {
      lastInstant = instant;
      lastText = new Date(instant).toISOString();
    }
    return lastText;
  };
}

/** Epoch milliseconds of a timestamp string, NaN when it is none of the accepted forms. */
export function parseTimestampText(text: string): number {
  const slash = SLASH_DATE.exec(text);
  if (slash !== null) {
    const [, year, month, day, hour, minute, second] = slash;
    const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? 0));
    // Date.UTC rolls over out-of-range parts (month 13); refuse those instead.
    const check = new Date(ms);
    if (check.getUTCDate() !== Number(day) || check.getUTCMonth() !== Number(month) - 1 || Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return Number.NaN;
    return ms;
  }
  // Date.parse would roll 2001-02-30 over to 2001-03-02; parseInstantText refuses it.
  if (RFC3339.test(text)) return parseInstantText(text.replace(' ', 'T'));
  if (INTEGER.test(text)) return Number(text);
  return Number.NaN;
}

import { commonV1 } from '@strata/contracts';
import { fromTimestamp, InvalidArgumentError, toTimestamp } from '@strata/service-runtime';

/** The type of a source field, a feature or a dataset column (strata.common.v1.ValueType without the prefix). */
export type ScalarType = 'DOUBLE' | 'INT64' | 'STRING' | 'BOOL' | 'TIMESTAMP';

export const SCALAR_TYPES: readonly ScalarType[] = ['DOUBLE', 'INT64', 'STRING', 'BOOL', 'TIMESTAMP'];

/**
 * A typed value as the feature service stores it in JSON (event payloads, online and
 * dataset rows): DOUBLE and INT64 as JSON numbers (INT64 beyond 2^53 as a decimal string),
 * STRING as a string, BOOL as a boolean, TIMESTAMP as an RFC 3339 string in UTC with
 * millisecond precision, and null for no value.
 */
export type Scalar = number | string | boolean | null;

/** Why a served value is null (strata.common.v1.NullReason without the prefix). */
export type NullReason = 'EXPLICIT' | 'MISSING' | 'EMPTY_WINDOW' | 'INVALID';

/** `VALUE_TYPE_DOUBLE` -> `DOUBLE`; INVALID_ARGUMENT naming `field` for UNSPECIFIED or unknown. */
export function scalarTypeOf(wire: commonV1.ValueType | string, field: string): ScalarType {
  const name = String(wire).replace(/^VALUE_TYPE_/, '') as ScalarType;
  if (!SCALAR_TYPES.includes(name)) throw new InvalidArgumentError(`${field} must be a value type`, [{ field, description: `must be one of ${SCALAR_TYPES.join(', ')}, got ${String(wire)}` }]);
  return name;
}

/** `DOUBLE` -> `VALUE_TYPE_DOUBLE`. */
export function toWireValueType(type: ScalarType): commonV1.ValueType {
  return `VALUE_TYPE_${type}` as commonV1.ValueType;
}

/** A stored scalar of `type` as strata.common.v1.Value; null becomes `null_reason`. */
export function toWireValue(value: Scalar, type: ScalarType, nullReason: NullReason = 'MISSING'): commonV1.Value {
  if (value === null) return { nullReason: `NULL_REASON_${nullReason}` as commonV1.NullReason };
  switch (type) {
    case 'DOUBLE':
      return { doubleValue: Number(value) };
    case 'INT64':
      return { int64Value: typeof value === 'number' ? String(Math.trunc(value)) : String(value) };
    case 'STRING':
      return { stringValue: String(value) };
    case 'BOOL':
      return { boolValue: Boolean(value) };
    case 'TIMESTAMP':
      return { timestampValue: toTimestamp(new Date(String(value))) };
  }
}

/** Which member of a wire Value is set ('nullReason' for a null), or undefined when none is. */
export function wireValueKind(value: commonV1.Value | null | undefined): keyof commonV1.Value | undefined {
  if (value == null) return undefined;
  const kind = (value as { kind?: string }).kind;
  if (kind !== undefined && kind !== null) return kind as keyof commonV1.Value;
  const members: (keyof commonV1.Value)[] = ['doubleValue', 'int64Value', 'stringValue', 'boolValue', 'timestampValue', 'nullReason'];
  return members.find((member) => value[member] !== undefined && value[member] !== null);
}

/**
 * A wire Value as a stored scalar, without checking it against a declared type (the
 * caller validates): int64 as a number when it is a safe integer, timestamps as RFC 3339.
 */
export function fromWireValue(value: commonV1.Value | null | undefined): Scalar {
  switch (wireValueKind(value)) {
    case 'doubleValue':
      return Number(value?.doubleValue);
    case 'int64Value': {
      const text = String(value?.int64Value);
      const asNumber = Number(text);
      return Number.isSafeInteger(asNumber) ? asNumber : text;
    }
    case 'stringValue':
      return String(value?.stringValue);
    case 'boolValue':
      return Boolean(value?.boolValue);
    case 'timestampValue': {
      const date = fromTimestamp(value?.timestampValue);
      return date === undefined ? null : date.toISOString();
    }
    default:
      return null;
  }
}

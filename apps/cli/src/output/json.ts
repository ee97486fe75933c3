// `--json` output: registry messages in the proto3 JSON mapping, so field names are the
// contract's (lowerCamelCase), int64 are decimal strings, enums are their names,
// Timestamps are RFC 3339 strings and Durations are `"<seconds>s"`.

/** Virtual properties proto-loader (`oneofs: true`) adds to name the member of a oneof that is set. */
const ONEOF_NAMES = new Set(['selector', 'content', 'payload']);
/** Fields of type google.protobuf.Duration in the registry contract; every other {seconds, nanos} is a Timestamp. */
const DURATION_FIELDS = new Set(['minTimeInPriorAlias']);
/** Map fields of the registry contract: their keys are data, never field names. */
const MAP_FIELDS = new Set(['aliases', 'metrics', 'params', 'tags', 'versionStatuses']);

interface SecondsNanos {
  seconds: string | number;
  nanos: number;
}

function isSecondsNanos(value: object): value is SecondsNanos {
  const keys = Object.keys(value);
  return keys.length === 2 && 'seconds' in value && 'nanos' in value;
}

/** RFC 3339 (UTC, millisecond precision) of a google.protobuf.Timestamp. */
export function timestampToIso(value: SecondsNanos): string {
  return new Date(Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6)).toISOString();
}

/** proto3 JSON of a google.protobuf.Duration, e.g. `"3600s"` or `"1.5s"`. */
export function durationToJson(value: SecondsNanos): string {
  const nanos = value.nanos === 0 ? '' : `.${String(value.nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${String(value.seconds)}${nanos}s`;
}

/** A registry message (as proto-loader gives it) as plain proto3-JSON-shaped data. */
export function toJson(value: unknown, field = ''): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map((item) => toJson(item, field));
  if (typeof value !== 'object') return value;
  if (MAP_FIELDS.has(field)) return { ...value };
  if (isSecondsNanos(value)) return DURATION_FIELDS.has(field) ? durationToJson(value) : timestampToIso(value);
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    // proto3 `optional` fields appear as synthetic oneofs `_<field>`; real oneofs as their name.
    if (key.startsWith('_') || (ONEOF_NAMES.has(key) && typeof member === 'string' && member in value)) continue;
    out[key] = toJson(member, key);
  }
  return out;
}

/** One JSON document per command, on one line (easy for `jq` and for line-oriented logs). */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(toJson(value))}\n`;
}

// Human renderings of feature-store messages (sources, feature sets, jobs, served values,
// statistics, quarantine) and their --json form.
import type { commonV1, featuresV1 } from '@strata/contracts';
import { durationToJson, timestampToIso } from './json';
import { formatEnum, formatMap, formatTime, renderFields, renderTable, shortDigest } from './table';

interface SecondsNanos {
  seconds: string | number;
  nanos?: number;
}

/** Fields of type google.protobuf.Duration in the features contract. */
const DURATION_FIELDS = new Set(['window', 'ttl', 'maxStaleness', 'freshnessLag']);
/** Map fields whose keys are data: string maps and the Value maps of rows. */
const MAP_FIELDS = new Set(['tags', 'fieldMapping']);
const VALUE_MAP_FIELDS = new Set(['fields', 'extra']);
/** Virtual properties proto-loader adds to name the member of a oneof that is set. */
const ONEOF_NAMES = new Set(['kind', 'params', 'entities', 'payload']);
const TIMESTAMP_KEYS = new Set(['seconds', 'nanos']);

function isSecondsNanos(value: object): value is SecondsNanos {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.length <= 2 && 'seconds' in value && keys.every((key) => TIMESTAMP_KEYS.has(key));
}

/**
 * A feature-service message (as proto-loader gives it) in the proto3 JSON mapping: Timestamps
 * as RFC 3339, Durations as `"86400s"`, oneof marker properties (`kind` of a Value, `params`
 * of a Job) dropped, map keys kept as data. Pass the result to `CommandContext.print`.
 */
export function featureJson(value: unknown, field = ''): unknown {
  if (value === null || value === undefined) return null;
  // No repeated field of the contract holds Durations or maps, so elements need no field context.
  if (Array.isArray(value)) return value.map((item) => featureJson(item));
  if (typeof value !== 'object') return value;
  if (MAP_FIELDS.has(field)) return { ...value };
  if (VALUE_MAP_FIELDS.has(field)) return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, featureJson(member)]));
  if (isSecondsNanos(value)) {
    const full = { seconds: value.seconds, nanos: value.nanos ?? 0 };
    return DURATION_FIELDS.has(field) ? durationToJson(full) : timestampToIso(full);
  }
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key.startsWith('_') || (ONEOF_NAMES.has(key) && typeof member === 'string' && member in value)) continue;
    out[key] = featureJson(member, key);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Values, names and times
// ---------------------------------------------------------------------------------------

const VALUE_MEMBERS = ['doubleValue', 'int64Value', 'stringValue', 'boolValue', 'timestampValue', 'nullReason'] as const;
type ValueMember = (typeof VALUE_MEMBERS)[number];

/** The member of a Value that is set: proto-loader's `kind`, else the first non-null member. */
function memberOf(value: commonV1.Value): ValueMember | undefined {
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind === 'string' && (VALUE_MEMBERS as readonly string[]).includes(kind)) return kind as ValueMember;
  return VALUE_MEMBERS.find((member) => value[member] !== undefined && value[member] !== null);
}

/**
 * A common.v1.Value for people: `42`, `3.5`, `"LAX"`, `true`, an ISO time, or `null (missing)`
 * with the null reason. An unset Value is `-`.
 */
export function formatValue(value: commonV1.Value | null | undefined): string {
  if (value === null || value === undefined) return '-';
  switch (memberOf(value)) {
    case 'doubleValue':
      return String(value.doubleValue);
    case 'int64Value':
      return String(value.int64Value);
    case 'stringValue':
      return JSON.stringify(value.stringValue);
    case 'boolValue':
      return String(value.boolValue);
    case 'timestampValue':
      return value.timestampValue === null || value.timestampValue === undefined ? '-' : formatIso(value.timestampValue);
    case 'nullReason': {
      const reason = formatEnum(String(value.nullReason), 'NULL_REASON_').replace(/_/g, ' ');
      return reason === 'unspecified' ? 'null' : `null (${reason})`;
    }
    default:
      return '-';
  }
}

/** RFC 3339 with milliseconds only when there are some: `2001-01-04T00:00:00Z`. */
export function formatIso(value: SecondsNanos | null | undefined): string {
  if (value === null || value === undefined) return '';
  return timestampToIso({ seconds: value.seconds, nanos: value.nanos ?? 0 }).replace('.000Z', 'Z');
}

/**
 * A Duration for people: `1d`, `7d`, `90s`, `1.5s`, and the two largest units of longer,
 * uneven ones (`1h 30m`, `9372d 19h`); empty when unset.
 */
export function formatDuration(value: SecondsNanos | null | undefined): string {
  if (value === null || value === undefined) return '';
  const seconds = Number(value.seconds) + (value.nanos ?? 0) / 1e9;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const whole = Math.floor(seconds);
  const first = units.findIndex(([size]) => whole >= size);
  const [size, unit] = units[first] as [number, string];
  const rest = whole % size;
  const next = units[first + 1];
  if (rest === 0 || next === undefined) return `${Math.floor(whole / size)}${unit}`;
  const remainder = Math.floor(rest / next[0]);
  return remainder === 0 ? `${Math.floor(whole / size)}${unit}` : `${Math.floor(whole / size)}${unit} ${remainder}${next[1]}`;
}

/** A table cell on one line: line breaks as `↵`, other control characters as spaces. */
function oneLine(text: string): string {
  return [...text.replace(/\r?\n/g, '↵')].map((char) => (char.charCodeAt(0) < 0x20 || char === '\u007f' ? ' ' : char)).join('');
}

/** `airport_delay_stats:1`; `:latest` for version 0. */
export function formatFeatureSetRef(ref: commonV1.FeatureSetRef | null | undefined): string {
  if (ref === null || ref === undefined) return '';
  return `${ref.name}:${ref.version === 0 ? 'latest' : String(ref.version)}`;
}

/** `airport_delay_stats:1@sha256:…` — the feature contract version. */
export function formatContract(contract: commonV1.FeatureContract | null | undefined): string {
  if (contract === null || contract === undefined) return '';
  return `${formatFeatureSetRef(contract.featureSet)}${contract.digest === '' ? '' : `@${contract.digest}`}`;
}

const valueType = (type: string): string => formatEnum(type, 'VALUE_TYPE_');
const kebab = (value: string, prefix: string): string => formatEnum(value, prefix).replace(/_/g, '-');

/** A rejection reason as the CLI's options spell it: `out-of-range`. */
export const formatReason = (reason: string): string => kebab(reason, 'REJECTION_REASON_');
/** A job status for people: `succeeded`. */
export const formatJobStatus = (value: string): string => formatEnum(value, 'JOB_STATUS_');
/** A job kind for people: `import`. */
export const formatJobKind = (value: string): string => formatEnum(value, 'JOB_KIND_');

// ---------------------------------------------------------------------------------------
// Sources and feature sets
// ---------------------------------------------------------------------------------------

function constraintsOf(field: featuresV1.FieldSchema): string {
  const parts: string[] = [];
  if (field.min !== undefined && field.min !== null) parts.push(`>= ${field.min}`);
  if (field.max !== undefined && field.max !== null) parts.push(`<= ${field.max}`);
  if (field.maxLength !== undefined && field.maxLength !== null) parts.push(`length <= ${field.maxLength}`);
  if (field.allowedValues.length > 0) parts.push(`in {${field.allowedValues.join(', ')}}`);
  return parts.join(', ');
}

export function renderSourceTable(sources: readonly featuresV1.Source[]): string {
  return renderTable(
    ['NAME', 'VERSION', 'ENTITY KEY', 'EVENT TIME', 'FIELDS', 'LATEST EVENT', 'OWNER'],
    sources.map((s) => [
      s.spec?.name ?? '',
      String(s.version),
      (s.spec?.entityKeyFields ?? []).join(','),
      s.spec?.eventTimeField ?? '',
      String(s.spec?.fields.length ?? 0),
      formatIso(s.latestEventTime),
      s.spec?.owner ?? '',
    ]),
    '(no sources)',
  );
}

export function renderSource(source: featuresV1.Source): string {
  const spec = source.spec;
  const head = renderFields([
    ['source', spec?.name ?? ''],
    ['version', String(source.version)],
    ['digest', source.digest],
    ['description', spec?.description ?? ''],
    ['owner', spec?.owner ?? ''],
    ['tags', formatMap(spec?.tags)],
    ['entity key', (spec?.entityKeyFields ?? []).join(', ')],
    ['event time', spec?.eventTimeField ?? ''],
    ['latest event', formatIso(source.latestEventTime)],
    ['applied', formatTime(source.createdAt)],
  ]);
  const fields = renderTable(
    ['FIELD', 'TYPE', 'NULLABLE', 'CONSTRAINTS'],
    (spec?.fields ?? []).map((f) => [f.name, valueType(f.type), f.nullable ? 'yes' : 'no', constraintsOf(f)]),
    '(no fields)',
  );
  return `${head}${fields}`;
}

export function renderFeatureSetTable(sets: readonly featuresV1.FeatureSet[]): string {
  return renderTable(
    ['NAME', 'VERSION', 'ENTITY', 'SOURCE', 'FEATURES', 'CONTRACT', 'MATERIALIZED UNTIL', 'OWNER'],
    sets.map((set) => [
      set.spec?.name ?? '',
      String(set.spec?.version ?? ''),
      set.spec?.entity?.name ?? '',
      formatFeatureSetRef(set.spec?.source),
      String(set.spec?.features.length ?? 0),
      shortDigest(set.contractDigest.replace(/^sha256:/, '')),
      formatIso(set.materializedUntil) || 'never',
      set.spec?.owner ?? '',
    ]),
    '(no feature sets)',
  );
}

export function renderFeatureSet(set: featuresV1.FeatureSet): string {
  const spec = set.spec;
  const head = renderFields([
    ['feature set', spec === null || spec === undefined ? '' : `${spec.name}:${spec.version}`],
    ['contract', set.contractDigest],
    ['description', spec?.description ?? ''],
    ['owner', spec?.owner ?? ''],
    ['tags', formatMap(spec?.tags)],
    ['entity', spec?.entity === null || spec?.entity === undefined ? '' : `${spec.entity.name} (${spec.entity.keyFields.join(', ') || 'source key'})`],
    ['source', formatFeatureSetRef(spec?.source)],
    ['ttl', formatDuration(spec?.ttl) || 'none (values never stale)'],
    ['materialized until', formatIso(set.materializedUntil) || 'never'],
    ['applied', formatTime(set.createdAt)],
  ]);
  const features = renderTable(
    ['FEATURE', 'TYPE', 'AGGREGATION', 'FIELD', 'WINDOW', 'FILTER', 'DEFAULT'],
    (spec?.features ?? []).map((f) => [
      f.name,
      valueType(f.type),
      formatEnum(f.aggregation, 'AGGREGATION_'),
      f.field,
      formatDuration(f.window) || 'all',
      f.filter,
      f.defaultValue === null || f.defaultValue === undefined ? '' : formatValue(f.defaultValue),
    ]),
    '(no features)',
  );
  return `${head}${features}`;
}

// ---------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------

/** What a job works on: `flights <- flights.json (json)` or `airport_delay_stats:1 [start, end)`. */
export function jobSubject(job: featuresV1.Job): string {
  if (job.importFile !== null && job.importFile !== undefined) {
    return `${job.importFile.source} <- ${job.importFile.path} (${formatEnum(job.importFile.format, 'FILE_FORMAT_')})`;
  }
  if (job.materialize !== null && job.materialize !== undefined) {
    const range = job.materialize.range;
    const start = formatIso(range?.start) || 'earliest';
    const end = formatIso(range?.end) || 'now';
    return `${formatFeatureSetRef(job.materialize.featureSet)} [${start}, ${end})`;
  }
  if (job.replay !== null && job.replay !== undefined) return `${job.replay.source} (${job.replay.selectedRows} quarantined rows)`;
  return '';
}

/** Seconds between two Timestamps, or undefined when either is unset. */
export function jobSeconds(job: featuresV1.Job): number | undefined {
  if (job.startedAt === null || job.startedAt === undefined || job.finishedAt === null || job.finishedAt === undefined) return undefined;
  const ms = (t: SecondsNanos): number => Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6;
  return Math.max(0, (ms(job.finishedAt) - ms(job.startedAt)) / 1000);
}

/** The counters of a job for people, by kind: rows for imports and replays, values for materializations. */
export function formatCounters(job: featuresV1.Job): string {
  const c = job.counters;
  if (c === null || c === undefined) return '';
  const read = c.rowsTotal !== '0' ? `${c.rowsRead}/${c.rowsTotal} rows read (${Math.floor((Number(c.rowsRead) / Number(c.rowsTotal)) * 100)}%)` : `${c.rowsRead} rows read`;
  if (job.kind === 'JOB_KIND_MATERIALIZE') return `${read}, ${c.valuesWritten} values written`;
  return `${read}, ${c.rowsAccepted} accepted, ${c.rowsRejected} rejected`;
}

export function renderJobTable(jobs: readonly featuresV1.Job[]): string {
  return renderTable(
    ['ID', 'KIND', 'STATUS', 'SUBJECT', 'COUNTERS', 'CREATED', 'DURATION'],
    jobs.map((job) => {
      const seconds = jobSeconds(job);
      return [job.id, formatJobKind(job.kind), formatJobStatus(job.status), jobSubject(job), formatCounters(job), formatTime(job.createdAt), seconds === undefined ? '' : `${seconds.toFixed(1)}s`];
    }),
    '(no jobs)',
  );
}

export function renderJob(job: featuresV1.Job): string {
  const seconds = jobSeconds(job);
  return renderFields([
    ['job', job.id],
    ['kind', formatJobKind(job.kind)],
    ['status', formatJobStatus(job.status)],
    ['subject', jobSubject(job)],
    ['counters', formatCounters(job)],
    ['error', job.errorMessage],
    ['created', formatTime(job.createdAt)],
    ['started', formatTime(job.startedAt)],
    ['finished', formatTime(job.finishedAt)],
    ['duration', seconds === undefined ? '' : `${seconds.toFixed(1)}s`],
  ]);
}

/** One progress line of a running job: `import 0193… running: 1200/2000 rows read (60%), …, 850 rows/s`. */
export function renderJobProgress(job: featuresV1.Job, elapsedSeconds: number | undefined): string {
  const rate = elapsedSeconds !== undefined && elapsedSeconds > 0 && job.counters !== null && job.counters !== undefined ? `, ${Math.round(Number(job.counters.rowsRead) / elapsedSeconds)} rows/s` : '';
  const counters = formatCounters(job);
  return `${formatJobKind(job.kind)} ${job.id} ${formatJobStatus(job.status)}${counters === '' ? '' : `: ${counters}`}${rate}`;
}

/**
 * The final summary of a finished job: status, duration, counters, rows/s, and for imports
 * the rejected rows by reason (`rejectedByReason`, counted from the quarantine; `complete`
 * false when only the first quarantined rows were counted).
 */
export function renderJobSummary(job: featuresV1.Job, rejectedByReason?: { counts: Record<string, number>; complete: boolean }): string {
  const seconds = jobSeconds(job);
  const rows = Number(job.counters?.rowsRead ?? 0);
  const rate = seconds !== undefined && seconds > 0 ? ` (${Math.round(rows / seconds)} rows/s)` : '';
  const counters = formatCounters(job);
  const lines = [`${formatJobKind(job.kind)} ${job.id} ${job.status.replace('JOB_STATUS_', '')}${seconds === undefined ? '' : ` in ${seconds.toFixed(1)}s`}${counters === '' ? '' : `: ${counters}`}${rate}`];
  if (job.errorMessage !== '') lines.push(`  error: ${job.errorMessage}`);
  if (rejectedByReason !== undefined && Object.keys(rejectedByReason.counts).length > 0) {
    const byReason = Object.entries(rejectedByReason.counts)
      .sort(([a, ca], [b, cb]) => cb - ca || a.localeCompare(b))
      .map(([reason, count]) => `${formatReason(reason)} ${count}`)
      .join(', ');
    lines.push(`  rejected by reason${rejectedByReason.complete ? '' : ' (first quarantined rows only)'}: ${byReason}`);
    lines.push(`  see them with: strata quarantine list --job ${job.id}`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------
// Served values, statistics, quarantine
// ---------------------------------------------------------------------------------------

/**
 * GetOnlineFeatures as a table (entity, feature, value, status, event time), the contract
 * line and the instant the values are as of: the requested as_of, or for online values the
 * end of the latest materialization, with the time of the call STALE was judged at.
 */
export function renderOnlineFeatures(response: featuresV1.GetOnlineFeaturesResponse): string {
  const rows = response.entities.flatMap((entity) =>
    entity.features.map((f) => [entity.entityId, f.name, formatValue(f.value), formatEnum(f.status, 'FEATURE_STATUS_').toUpperCase(), formatIso(f.eventTime)]),
  );
  const table = renderTable(['ENTITY', 'FEATURE', 'VALUE', 'STATUS', 'EVENT TIME'], rows, '(no values)');
  const valuesAsOf = formatIso(response.valuesAsOf);
  const servedAt = formatIso(response.asOf);
  let asOf: string;
  if (valuesAsOf === servedAt) asOf = valuesAsOf;
  else if (valuesAsOf === '') asOf = `(never materialized; served at ${servedAt})`;
  else asOf = `${valuesAsOf} (online store: end of the latest materialization; served at ${servedAt})`;
  return `${table}contract: ${formatContract(response.contract)}\nas of:    ${asOf}\n`;
}

const number = (value: number | null | undefined): string => (value === null || value === undefined ? '' : String(Number(value.toPrecision(6))));

export function renderFeatureStats(response: featuresV1.GetFeatureStatsResponse): string {
  const head = renderFields([
    ['contract', formatContract(response.contract)],
    ['entities', response.entityCount],
    ['computed', formatIso(response.computedAt)],
  ]);
  const table = renderTable(
    ['FEATURE', 'COUNT', 'NULL RATE', 'MIN', 'MAX', 'MEAN', 'FRESHNESS LAG', 'LATEST EVENT'],
    response.features.map((f) => [
      f.name,
      f.count,
      `${(f.nullRate * 100).toFixed(1)}%`,
      number(f.min),
      number(f.max),
      number(f.mean),
      formatDuration(f.freshnessLag),
      formatIso(f.latestEventTime),
    ]),
    '(no features)',
  );
  return `${head}${table}`;
}

/** A quarantined row's content, compact: `delay=-900 origin="LAX"`, or its raw text. */
export function formatQuarantinedContent(row: featuresV1.QuarantinedRow, width = 80): string {
  const entries = Object.entries(row.fields ?? {});
  const text =
    entries.length > 0
      ? entries
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => `${name}=${formatValue(value)}`)
          .join(' ')
      : row.raw;
  const line = oneLine(text);
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

export function renderQuarantineTable(rows: readonly featuresV1.QuarantinedRow[]): string {
  return renderTable(
    ['ID', 'SOURCE', 'REASON', 'FIELD', 'MESSAGE', 'ROW', 'JOB', 'QUARANTINED', 'REPLAYS'],
    rows.map((row) => [
      row.id,
      `${row.source}:${row.sourceVersion}`,
      formatReason(row.rejection?.reason ?? ''),
      row.rejection?.field ?? '',
      oneLine(row.rejection?.message ?? ''),
      formatQuarantinedContent(row),
      row.jobId,
      formatTime(row.quarantinedAt),
      String(row.replayAttempts),
    ]),
    '(no quarantined rows)',
  );
}

// Parsing of the feature-store commands' arguments into request fields. Every bad value is a
// UsageError (exit code 2) naming the argument and quoting what was given.
import { type commonV1, type featuresV1, type googleProtobuf, impossibleInstantText, parseInstantText } from '@strata/contracts';
import path from 'node:path';
import { parseInteger } from '../args';
import { UsageError } from '../errors';
import { readJsonObject } from '../input-files';

/**
 * `name:3` (or `name@3`) -> FeatureSetRef. Without a version: version 0 ("latest") when
 * `latestAllowed`, otherwise a usage error (serving and materialization pin a version).
 */
export function parseFeatureSetRef(text: string, latestAllowed: boolean, what = 'feature set'): commonV1.FeatureSetRef {
  const match = /^([a-z][a-z0-9_]{0,62})(?:[:@](\d+|latest))?$/.exec(text.trim());
  if (match === null) throw new UsageError(`${what}: expected <name>:<version>, e.g. airport_delay_stats:1, got "${text}"`);
  const name = match[1] as string;
  const version = match[2] === undefined || match[2] === 'latest' ? 0 : parseInteger(match[2], what, 1);
  if (version === 0 && !latestAllowed) throw new UsageError(`${what}: give the version, e.g. ${name}:1 (this command pins a feature set version)`);
  return { name, version };
}

/**
 * An instant as a google.protobuf.Timestamp: RFC 3339 (`2001-01-04T00:00:00Z`), a date
 * (`2001-01-04`, midnight UTC) or a date-time without a zone (read as UTC). An impossible
 * date or time (`2001-02-30`, hour 24) is a usage error, not the day it would roll over to.
 */
export function parseInstant(text: string, what: string): googleProtobuf.Timestamp {
  const trimmed = text.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed) ? `${trimmed.replace(' ', 'T')}Z` : trimmed;
  const impossible = impossibleInstantText(withZone);
  if (impossible !== undefined) throw new UsageError(`${what}: "${text}" is not a real time (${impossible})`);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(withZone) ? parseInstantText(withZone) : Number.NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`${what}: expected an ISO time such as 2001-01-04T00:00:00Z or 2001-01-04, got "${text}"`);
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

const FORMATS: Record<string, featuresV1.FileFormat> = {
  csv: 'FILE_FORMAT_CSV' as featuresV1.FileFormat,
  json: 'FILE_FORMAT_JSON' as featuresV1.FileFormat,
  ndjson: 'FILE_FORMAT_NDJSON' as featuresV1.FileFormat,
  jsonl: 'FILE_FORMAT_NDJSON' as featuresV1.FileFormat,
  parquet: 'FILE_FORMAT_PARQUET' as featuresV1.FileFormat,
};

/** The import format: `--format` when given, else from the file extension (.csv, .json, .ndjson/.jsonl, .parquet). */
export function parseFileFormat(file: string, format: string | undefined): featuresV1.FileFormat {
  if (format !== undefined) {
    const chosen = FORMATS[format.trim().toLowerCase()];
    if (chosen === undefined || format.trim().toLowerCase() === 'jsonl') throw new UsageError(`--format: expected csv, json, ndjson or parquet, got "${format}"`);
    return chosen;
  }
  const extension = path.extname(file).slice(1).toLowerCase();
  const guessed = FORMATS[extension];
  if (guessed === undefined) throw new UsageError(`cannot tell the format of "${file}" from its extension; give --format csv|json|ndjson|parquet`);
  return guessed;
}

/** An enum value from a short spelling: `out-of-range`, `out_of_range` or the full `REJECTION_REASON_OUT_OF_RANGE`. */
function parseEnum<T extends string>(text: string, prefix: string, names: readonly string[], what: string): T {
  const normalized = text.trim().toUpperCase().replace(/-/g, '_');
  const name = normalized.startsWith(prefix) ? normalized.slice(prefix.length) : normalized;
  if (!names.includes(name)) throw new UsageError(`${what}: expected one of ${names.map((n) => n.toLowerCase().replace(/_/g, '-')).join(', ')}, got "${text}"`);
  return `${prefix}${name}` as T;
}

const REASONS = ['MISSING_FIELD', 'TYPE_MISMATCH', 'OUT_OF_RANGE', 'NOT_ALLOWED_VALUE', 'TOO_LONG', 'UNKNOWN_FIELD', 'PARSE_ERROR'];
const KINDS = ['IMPORT', 'MATERIALIZE', 'REPLAY'];
const STATUSES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

/** `--reason out-of-range` -> RejectionReason; unset = any reason. */
export function parseRejectionReason(text: string | undefined): featuresV1.RejectionReason {
  if (text === undefined) return 'REJECTION_REASON_UNSPECIFIED' as featuresV1.RejectionReason;
  return parseEnum<featuresV1.RejectionReason>(text, 'REJECTION_REASON_', REASONS, '--reason');
}

/** `--kind import|materialize|replay` -> JobKind; unset = any kind. */
export function parseJobKind(text: string | undefined): featuresV1.JobKind {
  if (text === undefined) return 'JOB_KIND_UNSPECIFIED' as featuresV1.JobKind;
  return parseEnum<featuresV1.JobKind>(text, 'JOB_KIND_', KINDS, '--kind');
}

/** `--status pending|running|succeeded|failed|cancelled` -> JobStatus; unset = any status. */
export function parseJobStatus(text: string | undefined): featuresV1.JobStatus {
  if (text === undefined) return 'JOB_STATUS_UNSPECIFIED' as featuresV1.JobStatus;
  return parseEnum<featuresV1.JobStatus>(text, 'JOB_STATUS_', STATUSES, '--status');
}

/**
 * Reads a spec file: the JSON of the request's `spec` field (as in examples/flights), or a
 * whole request `{"spec": {...}}`.
 */
export function readSpecFile(file: string, what: string): Record<string, unknown> {
  const object = readJsonObject(file, what);
  const keys = Object.keys(object);
  const spec = object['spec'];
  if (keys.length === 1 && spec !== null && typeof spec === 'object' && !Array.isArray(spec)) return spec as Record<string, unknown>;
  if (typeof object['name'] !== 'string') throw new UsageError(`${what}: ${file} has no "name": expected the spec object, e.g. examples/flights/flights.source.json`);
  return object;
}

/** `--limit n` (at least 1), or `fallback` when not given. */
export function parseLimit(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : parseInteger(text, '--limit', 1);
}

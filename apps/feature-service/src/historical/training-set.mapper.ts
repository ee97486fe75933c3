import type { commonV1, featuresV1 } from '@strata/contracts';
import { fromTimestamp, type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';
import { type DatasetCell, nullCell } from '../dataset/dataset';
import { fromWireValue, type ScalarType, wireValueKind } from '../shared/scalar';
import { type EntitySelection, type ExtraColumn, type InlineEntityRow, MAX_INLINE_ROWS, type TrainingSetRequest } from './training-set';

/** Most field violations reported for one request (a bad file of 100000 rows would report them all). */
const MAX_VIOLATIONS = 20;

const KIND_TYPES: Readonly<Partial<Record<keyof commonV1.Value, ScalarType>>> = {
  doubleValue: 'DOUBLE',
  int64Value: 'INT64',
  stringValue: 'STRING',
  boolValue: 'BOOL',
  timestampValue: 'TIMESTAMP',
};

/**
 * A GetHistoricalFeatures request as a {@link TrainingSetRequest}; INVALID_ARGUMENT listing
 * every malformed field (feature set refs, rows or query, feature names). Whether the named
 * things exist is checked later, against the stored feature sets and sources.
 */
export function trainingSetRequestOf(request: featuresV1.GetHistoricalFeaturesRequest): TrainingSetRequest {
  const violations: FieldViolation[] = [];
  const featureSets = (request.featureSets ?? []).map((ref, index) => {
    if ((ref.name ?? '') === '') violations.push({ field: `feature_sets[${index}].name`, description: 'required' });
    if (!Number.isInteger(ref.version) || ref.version < 1) violations.push({ field: `feature_sets[${index}].version`, description: `must be >= 1 (pin a version), got ${ref.version}` });
    return { name: ref.name ?? '', version: ref.version };
  });
  if (featureSets.length === 0) violations.push({ field: 'feature_sets', description: 'at least one feature set is required' });
  const names = featureSets.map((ref) => ref.name);
  names.forEach((name, index) => {
    if (name !== '' && names.indexOf(name) !== index) violations.push({ field: `feature_sets[${index}]`, description: `feature set "${name}" is listed twice (its columns would collide)` });
  });
  const entities = entitiesOf(request, violations);
  const features = [...new Set(request.features ?? [])];
  features.forEach((feature, index) => {
    if (!/^[a-z][a-z0-9_]{0,62}\.[a-z][a-z0-9_]{0,62}$/.test(feature)) violations.push({ field: `features[${index}]`, description: `"${feature}" is not a qualified feature name <feature_set>.<feature>` });
  });
  if (violations.length > 0) throw new InvalidArgumentError(`invalid GetHistoricalFeatures request: ${violations[0]?.field} ${violations[0]?.description}`, violations.slice(0, MAX_VIOLATIONS));
  const knownAt = fromTimestamp(request.knownAt);
  return { featureSets, entities: entities as EntitySelection, features, ...(knownAt === undefined ? {} : { knownAt }) };
}

function entitiesOf(request: featuresV1.GetHistoricalFeaturesRequest, violations: FieldViolation[]): EntitySelection | undefined {
  const chosen = (request as { entities?: string }).entities;
  if (request.query != null && chosen !== 'rows') {
    const query = request.query;
    const start = fromTimestamp(query.timeRange?.start);
    const end = fromTimestamp(query.timeRange?.end);
    if ((query.source ?? '') === '') violations.push({ field: 'query.source', description: 'required' });
    if (start === undefined) violations.push({ field: 'query.time_range.start', description: 'required' });
    if (end === undefined) violations.push({ field: 'query.time_range.end', description: 'required' });
    if (start !== undefined && end !== undefined && start.getTime() >= end.getTime()) violations.push({ field: 'query.time_range', description: 'start must be before end' });
    const extraFields = query.extraFields ?? [];
    extraFields.forEach((field, index) => {
      if (extraFields.indexOf(field) !== index) violations.push({ field: `query.extra_fields[${index}]`, description: `"${field}" is listed twice` });
    });
    return { kind: 'query', query: { source: query.source ?? '', start: start ?? new Date(0), end: end ?? new Date(0), extraFields, filter: (query.filter ?? '').trim() } };
  }
  if (request.rows == null) {
    violations.push({ field: 'rows', description: 'entity rows are required: set rows or query' });
    return undefined;
  }
  return inlineRowsOf(request.rows.rows ?? [], violations);
}

function inlineRowsOf(wireRows: readonly featuresV1.EntityRow[], violations: FieldViolation[]): EntitySelection {
  if (wireRows.length === 0) violations.push({ field: 'rows.rows', description: 'at least one entity row is required' });
  if (wireRows.length > MAX_INLINE_ROWS) {
    violations.push({ field: 'rows.rows', description: `${wireRows.length} rows is more than the ${MAX_INLINE_ROWS} allowed inline; use an entity query` });
    return { kind: 'rows', rows: [], extraColumns: [] };
  }
  const types = new Map<string, ScalarType | undefined>();
  const firstFields = new Map<string, string>();
  wireRows.forEach((row, index) => {
    for (const [name, value] of Object.entries(row.extra ?? {})) {
      const kind = wireValueKind(value);
      const field = `rows.rows[${index}].extra["${name}"]`;
      if (kind === undefined) {
        violations.push({ field, description: 'a Value must have one member set' });
        continue;
      }
      const type = KIND_TYPES[kind];
      const known = types.get(name);
      if (type !== undefined && known !== undefined && known !== type) violations.push({ field, description: `is ${type}, but earlier rows have ${known} values in column "${name}"` });
      if (!types.has(name) || known === undefined) types.set(name, type);
      if (!firstFields.has(name)) firstFields.set(name, field);
    }
  });
  // Extra columns in name order (a map has no order); a column of only nulls is typed STRING.
  const extraColumns: ExtraColumn[] = [...types.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, type]) => ({ name, type: type ?? 'STRING', field: firstFields.get(name) ?? 'rows.rows' }));
  const rows: InlineEntityRow[] = wireRows.map((row, index) => {
    if ((row.entityId ?? '') === '') violations.push({ field: `rows.rows[${index}].entity_id`, description: 'required' });
    const at = fromTimestamp(row.timestamp);
    if (at === undefined) violations.push({ field: `rows.rows[${index}].timestamp`, description: 'required' });
    return { entityId: row.entityId ?? '', at: at ?? new Date(0), extras: extraColumns.map((column) => extraCellOf(row.extra?.[column.name])) };
  });
  return { kind: 'rows', rows, extraColumns };
}

function extraCellOf(value: commonV1.Value | undefined): DatasetCell {
  if (value === undefined) return nullCell('MISSING');
  const scalar = fromWireValue(value);
  if (scalar !== null) return scalar;
  const reason = String(value.nullReason ?? '').replace(/^NULL_REASON_/, '');
  return nullCell(reason === 'MISSING' || reason === 'EMPTY_WINDOW' || reason === 'INVALID' ? reason : 'EXPLICIT');
}

import { type FieldViolation, InvalidArgumentError, type PreconditionViolation } from '@strata/service-runtime';
import { canonicalJson, contentDigest } from '../shared/canonical-json';
import type { ScalarType } from '../shared/scalar';
import { resourceNameViolation } from './resource-name';
import type { FieldSchema, SourceSpec } from './source';

/** A field schema as requested: the type may be missing (VALUE_TYPE_UNSPECIFIED). */
export interface FieldSchemaDraft extends Omit<FieldSchema, 'type'> {
  readonly type?: ScalarType;
}

/** A source spec as requested, before validation. */
export interface SourceSpecDraft extends Omit<SourceSpec, 'fields'> {
  readonly fields: readonly FieldSchemaDraft[];
}

const KEY_TYPES: readonly ScalarType[] = ['STRING', 'INT64'];

/**
 * Validates a requested source spec and returns its canonical form (fields in declared
 * order, tags sorted, optional constraints only when set).
 * @throws InvalidArgumentError with every violation, paths under `path` (e.g. `spec.fields[2].min`).
 */
export function validateSourceSpec(draft: SourceSpecDraft, path = 'spec'): SourceSpec {
  const violations: FieldViolation[] = [];
  const add = (violation: FieldViolation | undefined): void => {
    if (violation !== undefined) violations.push(violation);
  };
  add(resourceNameViolation(`${path}.name`, draft.name));
  if (draft.fields.length === 0) add({ field: `${path}.fields`, description: 'at least the entity key and event-time fields are required' });

  const seen = new Set<string>();
  draft.fields.forEach((field, index) => {
    const at = `${path}.fields[${index}]`;
    add(resourceNameViolation(`${at}.name`, field.name));
    if (field.name !== '' && seen.has(field.name)) add({ field: `${at}.name`, description: `duplicate field name "${field.name}"` });
    seen.add(field.name);
    if (field.type === undefined) add({ field: `${at}.type`, description: 'required: one of DOUBLE, INT64, STRING, BOOL, TIMESTAMP' });
    violations.push(...constraintViolations(field, at));
  });

  const byName = new Map(draft.fields.map((field) => [field.name, field]));
  if (draft.entityKeyFields.length === 0) add({ field: `${path}.entity_key_fields`, description: 'at least one entity key field is required' });
  const keys = new Set<string>();
  draft.entityKeyFields.forEach((name, index) => {
    const at = `${path}.entity_key_fields[${index}]`;
    if (keys.has(name)) add({ field: at, description: `"${name}" is listed twice` });
    keys.add(name);
    add(keyFieldViolation(at, name, byName.get(name)));
  });

  const at = `${path}.event_time_field`;
  const eventTime = byName.get(draft.eventTimeField);
  if (draft.eventTimeField === '') add({ field: at, description: 'required' });
  else if (eventTime === undefined) add({ field: at, description: `"${draft.eventTimeField}" is not a field of the schema` });
  else if (eventTime.type !== 'TIMESTAMP' || eventTime.nullable) add({ field: at, description: `"${draft.eventTimeField}" must be a non-nullable TIMESTAMP field` });
  Object.keys(draft.tags).forEach((key) => {
    if (key.trim() === '') add({ field: `${path}.tags`, description: 'tag keys must not be empty' });
  });

  if (violations.length > 0) throw new InvalidArgumentError(`invalid source spec "${draft.name}": ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`, violations);
  return canonicalSourceSpec(draft as SourceSpec);
}

/**
 * The violation of an entity key field `name` at `at`, or undefined when `field` (the
 * schema entry of that name, if any) is a non-nullable STRING or INT64 field.
 */
export function keyFieldViolation(at: string, name: string, field: Pick<FieldSchema, 'nullable'> & { readonly type?: ScalarType } | undefined): FieldViolation | undefined {
  if (name === '') return { field: at, description: 'required' };
  if (field === undefined) return { field: at, description: `"${name}" is not a field of the schema` };
  if (field.type === undefined || !KEY_TYPES.includes(field.type) || field.nullable) return { field: at, description: `"${name}" must be a non-nullable STRING or INT64 field to be an entity key` };
  return undefined;
}

function constraintViolations(field: FieldSchemaDraft, at: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const numeric = field.type === 'DOUBLE' || field.type === 'INT64';
  for (const bound of ['min', 'max'] as const) {
    const value = field[bound];
    if (value === undefined) continue;
    if (!numeric) violations.push({ field: `${at}.${bound}`, description: `${bound} is only allowed for DOUBLE and INT64 fields, "${field.name}" is ${field.type ?? 'untyped'}` });
    else if (!Number.isFinite(value)) violations.push({ field: `${at}.${bound}`, description: `must be a finite number, got ${value}` });
  }
  if (field.min !== undefined && field.max !== undefined && field.min > field.max) violations.push({ field: `${at}.min`, description: `min ${field.min} is greater than max ${field.max}` });
  if (field.allowedValues.length > 0 && field.type !== 'STRING') violations.push({ field: `${at}.allowed_values`, description: `allowed_values is only allowed for STRING fields, "${field.name}" is ${field.type ?? 'untyped'}` });
  if (new Set(field.allowedValues).size !== field.allowedValues.length) violations.push({ field: `${at}.allowed_values`, description: 'values must be distinct' });
  if (field.maxLength !== undefined) {
    if (field.type !== 'STRING') violations.push({ field: `${at}.max_length`, description: `max_length is only allowed for STRING fields, "${field.name}" is ${field.type ?? 'untyped'}` });
    else if (!Number.isInteger(field.maxLength) || field.maxLength <= 0) violations.push({ field: `${at}.max_length`, description: `must be > 0, got ${field.maxLength}` });
  }
  return violations;
}

/** The canonical form of a valid spec: fixed member order, tags sorted, unset constraints left out. */
export function canonicalSourceSpec(spec: SourceSpec): SourceSpec {
  return {
    name: spec.name,
    entityKeyFields: [...spec.entityKeyFields],
    eventTimeField: spec.eventTimeField,
    fields: spec.fields.map((field) => ({
      name: field.name,
      type: field.type,
      nullable: field.nullable,
      ...(field.min === undefined ? {} : { min: field.min }),
      ...(field.max === undefined ? {} : { max: field.max }),
      allowedValues: [...field.allowedValues],
      ...(field.maxLength === undefined ? {} : { maxLength: field.maxLength }),
      description: field.description,
    })),
    description: spec.description,
    owner: spec.owner,
    tags: Object.fromEntries(Object.entries(spec.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/** `sha256:<hex>` of the canonical JSON of a canonical spec. */
export function sourceDigest(spec: SourceSpec): string {
  return contentDigest(spec);
}

/** The canonical JSON text of a spec (what is stored and digested). */
export function sourceSpecJson(spec: SourceSpec): string {
  return canonicalJson(spec);
}

/**
 * Why `next` cannot be a new version of `previous`: a change of the entity key fields,
 * the event-time field or the type of a field both versions have. Empty when compatible.
 */
export function incompatibleChanges(previous: SourceSpec, next: SourceSpec, previousVersion: number): PreconditionViolation[] {
  const subject = `sources/${previous.name}`;
  const type = 'INCOMPATIBLE_SOURCE_CHANGE';
  const hint = 'apply the changed schema under a new source name';
  const violations: PreconditionViolation[] = [];
  if (canonicalJson(previous.entityKeyFields) !== canonicalJson(next.entityKeyFields)) {
    violations.push({ type, subject, description: `entity_key_fields change from [${previous.entityKeyFields.join(', ')}] (version ${previousVersion}) to [${next.entityKeyFields.join(', ')}]; ${hint}` });
  }
  if (previous.eventTimeField !== next.eventTimeField) {
    violations.push({ type, subject, description: `event_time_field changes from "${previous.eventTimeField}" (version ${previousVersion}) to "${next.eventTimeField}"; ${hint}` });
  }
  const previousTypes = new Map(previous.fields.map((field) => [field.name, field.type]));
  for (const field of next.fields) {
    const before = previousTypes.get(field.name);
    if (before !== undefined && before !== field.type) {
      violations.push({ type, subject, description: `field "${field.name}" changes type from ${before} (version ${previousVersion}) to ${field.type}; ${hint}` });
    }
  }
  return violations;
}

import { type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';
import { filterTypeProblems, FilterSyntaxError, parseFilter } from '../filter';
import { contentDigest } from '../shared/canonical-json';
import type { Scalar, ScalarType } from '../shared/scalar';
import { resourceNameViolation } from '../source/resource-name';
import type { Source } from '../source/source';
import { keyFieldViolation } from '../source/source-spec';
import type { Aggregation, FeatureDef, FeatureSetSpec } from './feature-set';

/** A typed default value as requested; `type` undefined for a null Value. */
export interface DefaultValueDraft {
  readonly type?: ScalarType;
  readonly value: Scalar;
}

/** One feature as requested, before validation (durations in seconds, possibly fractional). */
export interface FeatureDraft {
  readonly name: string;
  readonly type?: ScalarType;
  readonly aggregation?: Aggregation;
  readonly field: string;
  readonly windowSeconds?: number;
  readonly filter: string;
  readonly defaultValue?: DefaultValueDraft;
  readonly description: string;
}

/** A feature set spec as requested, before validation; source version 0 = latest. */
export interface FeatureSetSpecDraft {
  readonly name: string;
  readonly version: number;
  readonly entity?: { readonly name: string; readonly keyFields: readonly string[] };
  readonly source?: { readonly name: string; readonly version: number };
  readonly features: readonly FeatureDraft[];
  readonly ttlSeconds?: number;
  readonly owner: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

const PATH = 'spec';

/** Checks that need no source: names, version, entity and source references. Paths under `spec.`. */
export function staticFeatureSetViolations(draft: FeatureSetSpecDraft): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (violation: FieldViolation | undefined): void => {
    if (violation !== undefined) violations.push(violation);
  };
  add(resourceNameViolation(`${PATH}.name`, draft.name));
  if (!Number.isInteger(draft.version) || draft.version < 1) add({ field: `${PATH}.version`, description: `must be >= 1, got ${draft.version}` });
  if (draft.entity === undefined) add({ field: `${PATH}.entity`, description: 'required' });
  else add(resourceNameViolation(`${PATH}.entity.name`, draft.entity.name));
  if (draft.source === undefined) add({ field: `${PATH}.source`, description: 'required' });
  else {
    add(resourceNameViolation(`${PATH}.source.name`, draft.source.name));
    if (!Number.isInteger(draft.source.version) || draft.source.version < 0) add({ field: `${PATH}.source.version`, description: `must be >= 0 (0 = latest), got ${draft.source.version}` });
  }
  if (draft.features.length === 0) add({ field: `${PATH}.features`, description: 'at least one feature is required' });
  if (draft.ttlSeconds !== undefined && !(Number.isInteger(draft.ttlSeconds) && draft.ttlSeconds > 0)) {
    add({ field: `${PATH}.ttl`, description: `must be a whole number of seconds > 0, got ${draft.ttlSeconds}s` });
  }
  Object.keys(draft.tags).forEach((key) => {
    if (key.trim() === '') add({ field: `${PATH}.tags`, description: 'tag keys must not be empty' });
  });
  return violations;
}

/**
 * Validates a draft against its resolved source and returns the canonical spec (source
 * version resolved, aggregation lower-case, tags sorted, key fields defaulted).
 * @throws InvalidArgumentError with every violation (static ones included).
 */
export function validateFeatureSetSpec(draft: FeatureSetSpecDraft, source: Source): FeatureSetSpec {
  const violations = staticFeatureSetViolations(draft);
  const fields = new Map(source.spec.fields.map((field) => [field.name, field]));
  const keyFields = draft.entity === undefined || draft.entity.keyFields.length === 0 ? [...source.spec.entityKeyFields] : [...draft.entity.keyFields];
  const seenKeys = new Set<string>();
  keyFields.forEach((name, index) => {
    const at = `${PATH}.entity.key_fields[${index}]`;
    if (seenKeys.has(name)) violations.push({ field: at, description: `"${name}" is listed twice` });
    seenKeys.add(name);
    const violation = keyFieldViolation(at, name, fields.get(name));
    if (violation !== undefined) violations.push({ ...violation, description: `${violation.description} of source ${source.spec.name} version ${source.version}` });
  });

  const seen = new Set<string>();
  draft.features.forEach((feature, index) => {
    const at = `${PATH}.features[${index}]`;
    if (seen.has(feature.name)) violations.push({ field: `${at}.name`, description: `duplicate feature name "${feature.name}"` });
    seen.add(feature.name);
    violations.push(...featureViolations(feature, at, source));
  });

  if (violations.length > 0) throw new InvalidArgumentError(`invalid feature set spec "${draft.name}": ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`, violations);
  return {
    name: draft.name,
    version: draft.version,
    entity: { name: draft.entity?.name ?? '', keyFields },
    source: { name: source.spec.name, version: source.version },
    features: draft.features.map((feature) => toFeatureDef(feature, source)),
    ...(draft.ttlSeconds === undefined ? {} : { ttlSeconds: draft.ttlSeconds }),
    owner: draft.owner,
    description: draft.description,
    tags: Object.fromEntries(Object.entries(draft.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/**
 * The feature contract version of a canonical spec: `sha256:<hex>` of its canonical JSON
 * together with the digest of the resolved source version.
 */
export function featureSetContractDigest(spec: FeatureSetSpec, sourceDigest: string): string {
  return contentDigest({ spec, sourceDigest });
}

/** The output type an aggregation over a field of `fieldType` has, or why it is not supported. */
export function impliedType(aggregation: Aggregation, fieldType: ScalarType | undefined): ScalarType | { readonly problem: string } {
  const numeric = fieldType === 'DOUBLE' || fieldType === 'INT64';
  switch (aggregation) {
    case 'count':
      return 'INT64';
    case 'sum':
      return numeric ? fieldType : { problem: `SUM needs a DOUBLE or INT64 field, the field is ${fieldType ?? 'missing'}` };
    case 'avg':
      return numeric ? 'DOUBLE' : { problem: `AVG needs a DOUBLE or INT64 field, the field is ${fieldType ?? 'missing'}` };
    case 'min':
    case 'max':
      return numeric
        ? fieldType
        : { problem: `${aggregation.toUpperCase()} needs a DOUBLE or INT64 field (MIN/MAX over STRING, BOOL and TIMESTAMP fields are not supported; use LAST), the field is ${fieldType ?? 'missing'}` };
    case 'last':
      return fieldType ?? { problem: 'LAST needs a field' };
  }
}

function featureViolations(feature: FeatureDraft, at: string, source: Source): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (violation: FieldViolation | undefined): void => {
    if (violation !== undefined) violations.push(violation);
  };
  const sourceLabel = `source ${source.spec.name} version ${source.version}`;
  const fields = new Map(source.spec.fields.map((field) => [field.name, field]));
  add(resourceNameViolation(`${at}.name`, feature.name));
  if (feature.aggregation === undefined) add({ field: `${at}.aggregation`, description: 'required: one of COUNT, SUM, AVG, MIN, MAX, LAST' });
  const field = feature.field === '' ? undefined : fields.get(feature.field);
  if (feature.field === '' && feature.aggregation !== undefined && feature.aggregation !== 'count') add({ field: `${at}.field`, description: `required for ${feature.aggregation.toUpperCase()}` });
  if (feature.field !== '' && field === undefined) add({ field: `${at}.field`, description: `"${feature.field}" is not a field of ${sourceLabel}` });
  if (feature.type === undefined) add({ field: `${at}.type`, description: 'required: one of DOUBLE, INT64, STRING, BOOL, TIMESTAMP' });
  if (feature.aggregation !== undefined && (feature.field === '' ? feature.aggregation === 'count' : field !== undefined)) {
    const implied = impliedType(feature.aggregation, field?.type);
    if (typeof implied !== 'string') add({ field: `${at}.field`, description: implied.problem });
    else if (feature.type !== undefined && feature.type !== implied) {
      add({ field: `${at}.type`, description: `must be ${implied} for ${feature.aggregation.toUpperCase()}${field === undefined ? '' : ` of ${field.type} field "${field.name}"`}, got ${feature.type}` });
    }
  }
  if (feature.windowSeconds !== undefined && !(Number.isInteger(feature.windowSeconds) && feature.windowSeconds > 0)) {
    add({ field: `${at}.window`, description: `must be a whole number of seconds > 0, got ${feature.windowSeconds}s (leave it unset for all history)` });
  }
  if (feature.filter.trim() !== '') {
    try {
      const problems = filterTypeProblems(parseFilter(feature.filter), (name) => fields.get(name)?.type);
      problems.forEach((problem) => add({ field: `${at}.filter`, description: `${problem} (${sourceLabel})` }));
    } catch (error) {
      if (!(error instanceof FilterSyntaxError)) throw error;
      add({ field: `${at}.filter`, description: `cannot parse "${feature.filter}": ${error.message}` });
    }
  }
  if (feature.defaultValue !== undefined) {
    if (feature.defaultValue.type === undefined) add({ field: `${at}.default_value`, description: 'must not be null; leave default_value unset for no default' });
    else if (feature.type !== undefined && feature.defaultValue.type !== feature.type) add({ field: `${at}.default_value`, description: `must be a ${feature.type} value, got ${feature.defaultValue.type}` });
  }
  return violations;
}

function toFeatureDef(feature: FeatureDraft, source: Source): FeatureDef {
  const fieldType = source.spec.fields.find((field) => field.name === feature.field)?.type;
  const implied = impliedType(feature.aggregation ?? 'count', fieldType);
  return {
    name: feature.name,
    type: typeof implied === 'string' ? implied : (feature.type ?? 'INT64'),
    aggregation: feature.aggregation ?? 'count',
    field: feature.field,
    ...(feature.windowSeconds === undefined ? {} : { windowSeconds: feature.windowSeconds }),
    filter: feature.filter.trim(),
    ...(feature.defaultValue === undefined ? {} : { defaultValue: feature.defaultValue.value }),
    description: feature.description,
  };
}

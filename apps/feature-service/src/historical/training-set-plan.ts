import { type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';
import type { DatasetColumn, DatasetFeatureContract } from '../dataset/dataset';
import type { FeatureDef, FeatureSet } from '../feature-set/feature-set';
import { filterTypeProblems, parseFilter } from '../filter';
import type { Source } from '../source/source';
import { entityIdProblem } from '../ingestion/row-validator';
import type { ExtraColumn, InlineEntityRow, TrainingSetRequest } from './training-set';

/** The features of one feature set that go into a training set, in declared order. */
export interface PlannedFeatureSet {
  readonly featureSet: FeatureSet;
  readonly features: readonly FeatureDef[];
}

/** What a training set is made of: its columns, the features computed per feature set and the entity key. */
export interface TrainingSetPlan {
  /** entity_id, timestamp, the extra columns, then the feature columns. */
  readonly columns: readonly DatasetColumn[];
  readonly extraColumns: readonly ExtraColumn[];
  readonly featureSets: readonly PlannedFeatureSet[];
  /** The entity key fields the feature sets share (entity IDs join their values with `|`). */
  readonly keyFields: readonly string[];
  readonly contracts: readonly DatasetFeatureContract[];
}

const RESERVED_COLUMNS = ['entity_id', 'timestamp'];

/** The entity key fields of a feature set: its entity's, or its source's when the entity lists none. */
export function keyFieldsOf(featureSet: FeatureSet): readonly string[] {
  return featureSet.spec.entity.keyFields.length > 0 ? featureSet.spec.entity.keyFields : featureSet.source.spec.entityKeyFields;
}

/**
 * Checks a training-set request against the applied feature sets (in request order) and,
 * for an entity query, the query's source; INVALID_ARGUMENT with every violation: feature
 * sets with different entity keys, inline rows whose entity ID does not match that key,
 * unknown features, extra columns colliding with `entity_id`, `timestamp` or a feature
 * column, and for a query unknown extra fields, a source without the key fields, or a bad
 * filter.
 *
 * Feature columns follow the feature sets' order and each set's declared order, whatever
 * the order of `features`, so the same selection always gives the same dataset.
 */
export function planTrainingSet(request: TrainingSetRequest, featureSets: readonly FeatureSet[], querySource?: Source): TrainingSetPlan {
  const violations: FieldViolation[] = [];
  const keyFields = featureSets.length === 0 ? [] : keyFieldsOf(featureSets[0] as FeatureSet);
  featureSets.forEach((featureSet, index) => {
    const own = keyFieldsOf(featureSet);
    if (own.join('|') !== keyFields.join('|')) {
      violations.push({ field: `feature_sets[${index}]`, description: `entity key (${own.join(', ')}) of "${featureSet.spec.name}" differs from (${keyFields.join(', ')}) of "${featureSets[0]?.spec.name}"; joined feature sets must share the entity key` });
    }
  });

  if (request.entities.kind === 'rows') inlineEntityIdViolations(request.entities.rows, featureSets, keyFields, violations);

  const wanted = new Set(request.features);
  request.features.forEach((qualified, index) => {
    const [setName, featureName] = qualified.split('.') as [string, string];
    const featureSet = featureSets.find((candidate) => candidate.spec.name === setName);
    if (featureSet === undefined) violations.push({ field: `features[${index}]`, description: `feature set "${setName}" is not in feature_sets` });
    else if (!featureSet.spec.features.some((feature) => feature.name === featureName)) violations.push({ field: `features[${index}]`, description: `feature set "${setName}" version ${featureSet.spec.version} has no feature "${featureName}"` });
  });
  const planned = featureSets.map((featureSet) => ({
    featureSet,
    features: featureSet.spec.features.filter((feature) => wanted.size === 0 || wanted.has(`${featureSet.spec.name}.${feature.name}`)),
  }));
  const featureColumns: DatasetColumn[] = planned.flatMap(({ featureSet, features }) => features.map((feature) => ({ name: `${featureSet.spec.name}.${feature.name}`, type: feature.type, role: 'FEATURE' as const })));

  const extraColumns = request.entities.kind === 'rows' ? request.entities.extraColumns : queryExtraColumns(request, keyFields, querySource, violations);
  const featureNames = new Set(featureColumns.map((column) => column.name));
  for (const extra of extraColumns) {
    if (RESERVED_COLUMNS.includes(extra.name) || featureNames.has(extra.name)) violations.push({ field: extra.field, description: `extra column "${extra.name}" collides with the ${featureNames.has(extra.name) ? 'feature' : `${extra.name}`} column` });
  }
  if (violations.length > 0) throw new InvalidArgumentError(`invalid GetHistoricalFeatures request: ${violations[0]?.field} ${violations[0]?.description}`, violations);

  return {
    columns: [
      { name: 'entity_id', type: 'STRING', role: 'ENTITY_ID' },
      { name: 'timestamp', type: 'TIMESTAMP', role: 'TIMESTAMP' },
      ...extraColumns.map((extra) => ({ name: extra.name, type: extra.type, role: 'EXTRA' as const })),
      ...featureColumns,
    ],
    extraColumns,
    featureSets: planned,
    keyFields,
    contracts: featureSets.map((featureSet) => ({ name: featureSet.spec.name, version: featureSet.spec.version, digest: featureSet.contractDigest })),
  };
}

/** Most inline rows with a refused entity ID listed one by one (the rest are counted). */
const MAX_ENTITY_ID_VIOLATIONS = 10;

/**
 * Inline rows whose entity ID no event of the feature sets' sources can have (a route ID
 * without its `|`, a value of the wrong type or outside the key field's constraints): such a
 * row would silently get only empty windows, 0 and null.
 */
function inlineEntityIdViolations(rows: readonly InlineEntityRow[], featureSets: readonly FeatureSet[], keyFields: readonly string[], violations: FieldViolation[]): void {
  const sources = [...new Map(featureSets.map((featureSet) => [featureSet.source.id, featureSet])).values()];
  const problems = new Map<string, string | undefined>();
  let refused = 0;
  rows.forEach((row, index) => {
    if (row.entityId === '') return; // reported as required by the request mapper
    if (!problems.has(row.entityId)) {
      let problem: string | undefined;
      for (const featureSet of sources) {
        const found = entityIdProblem(featureSet.source.spec.fields, keyFields, row.entityId);
        if (found !== undefined) {
          problem = `"${row.entityId}" does not match the entity key of feature set "${featureSet.spec.name}": ${found}`;
          break;
        }
      }
      problems.set(row.entityId, problem);
    }
    const problem = problems.get(row.entityId);
    if (problem === undefined) return;
    refused += 1;
    if (refused <= MAX_ENTITY_ID_VIOLATIONS) violations.push({ field: `rows.rows[${index}].entity_id`, description: problem });
  });
  if (refused > MAX_ENTITY_ID_VIOLATIONS) violations.push({ field: 'rows.rows', description: `${refused - MAX_ENTITY_ID_VIOLATIONS} more rows have an entity ID that does not match the entity key` });
}

function queryExtraColumns(request: TrainingSetRequest, keyFields: readonly string[], source: Source | undefined, violations: FieldViolation[]): ExtraColumn[] {
  if (request.entities.kind !== 'query' || source === undefined) return [];
  const { query } = request.entities;
  const fields = new Map(source.spec.fields.map((field) => [field.name, field]));
  const missingKeys = keyFields.filter((key) => !fields.has(key));
  if (missingKeys.length > 0) violations.push({ field: 'query.source', description: `source "${source.spec.name}" has no field ${missingKeys.map((key) => `"${key}"`).join(', ')} of the feature sets' entity key` });
  if (query.filter !== '') {
    try {
      const problems = filterTypeProblems(parseFilter(query.filter), (field) => fields.get(field)?.type);
      for (const problem of problems) violations.push({ field: 'query.filter', description: problem });
    } catch (error) {
      violations.push({ field: 'query.filter', description: error instanceof Error ? error.message : String(error) });
    }
  }
  return query.extraFields.flatMap((name, index) => {
    const field = fields.get(name);
    if (field === undefined) {
      violations.push({ field: `query.extra_fields[${index}]`, description: `source "${source.spec.name}" has no field "${name}"` });
      return [];
    }
    return [{ name, type: field.type, field: `query.extra_fields[${index}]` }];
  });
}

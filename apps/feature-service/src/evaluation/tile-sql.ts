import type { FeatureDef, FeatureSet } from '../feature-set/feature-set';
import { filterToSql, parseFilter } from '../filter';
import type { ScalarType } from '../shared/scalar';
import { jsonArraySql } from './window-sql';

const FIELD_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * How one feature's inputs are kept in a tile (see the feature_tiles migration comment):
 * `cnt` always counts the non-null inputs; `sm` is used by SUM/AVG; `mn`/`mx` by MIN/MAX of
 * numbers, booleans (0/1) and timestamps (epoch microseconds); the `lst` JSON slot by LAST
 * (latest input) and by MIN/MAX of strings (the tile's min/max in code point order). Unused
 * slots and zero counts are NULL array elements, which cost one bit each.
 */
export type TileLayout = 'count' | 'sum' | 'minmax' | 'string-min' | 'string-max' | 'last';

/** The tile layout of a feature. */
export function tileLayoutOf(feature: FeatureDef, fieldType: ScalarType | undefined): TileLayout {
  switch (feature.aggregation) {
    case 'count':
      return 'count';
    case 'sum':
    case 'avg':
      return 'sum';
    case 'min':
    case 'max':
      if (fieldType === 'STRING') return feature.aggregation === 'min' ? 'string-min' : 'string-max';
      return 'minmax';
    case 'last':
      return 'last';
  }
}

/** The type of a source field of the feature set's (resolved) source version; throws for an unknown field. */
export function fieldTypeOf(featureSet: FeatureSet, field: string): ScalarType {
  const schema = featureSet.source.spec.fields.find((candidate) => candidate.name === field);
  if (schema === undefined) throw new Error(`feature set ${featureSet.spec.name}:${featureSet.spec.version} uses unknown source field "${field}"`);
  return schema.type;
}

/**
 * The SQL expression of an event's entity ID for the feature set: the `events.entity_key`
 * column when the feature set keys by the source's own key, else the key fields' payload
 * text joined with `|`.
 */
export function entityKeySql(featureSet: FeatureSet, eventsAlias: string): string {
  const keyFields = featureSet.spec.entity.keyFields.length > 0 ? featureSet.spec.entity.keyFields : featureSet.source.spec.entityKeyFields;
  const sourceKey = featureSet.source.spec.entityKeyFields;
  if (keyFields.length === sourceKey.length && keyFields.every((field, index) => field === sourceKey[index])) return `${eventsAlias}.entity_key`;
  return `concat_ws('|', ${keyFields.map((field) => `${eventsAlias}.payload->>'${checkedField(field)}'`).join(', ')})`;
}

/**
 * A SELECT producing feature_tiles rows (entity_key, tile_time, event_count, max_ingested_at,
 * cnt, sm, mn, mx, lst) from the events matching `eventsWhere` (a condition over the
 * `events` table aliased `ev`, with the caller's parameters). One statement, set-based:
 * per-event inputs in a subquery (the payload fields read once per event with
 * jsonb_to_record), grouped by entity and event time.
 */
export function tileSelectSql(featureSet: FeatureSet, eventsWhere: string): string {
  const inputs: string[] = [];
  const cnt: string[] = [];
  const sm: string[] = [];
  const mn: string[] = [];
  const mx: string[] = [];
  const lst: string[] = [];
  const fields = new Map<string, ScalarType>();
  featureSet.spec.features.forEach((feature, index) => {
    const fieldType = feature.field === '' ? undefined : fieldTypeOf(featureSet, feature.field);
    if (fieldType !== undefined) fields.set(feature.field, fieldType);
    const layout = tileLayoutOf(feature, fieldType);
    const filter = feature.filter.trim() === '' ? undefined : filterToSql(parseFilter(feature.filter), (field) => fieldTypeOf(featureSet, field), 'ev.payload');
    const column = feature.field === '' ? '' : `p.${quoted(feature.field)}`;
    const present = feature.field === '' ? undefined : `${column} IS NOT NULL`;
    const when = (condition: string | undefined) => [filter, condition].filter((part) => part !== undefined).join(' AND ') || 'true';
    const n = `n${index}`;
    const j = `j${index}`;
    switch (layout) {
      case 'count':
        inputs.push(`CASE WHEN ${when(present)} THEN 1::float8 END AS ${n}`);
        break;
      case 'sum':
      case 'minmax':
        inputs.push(filter === undefined ? `${numericInputSql(column, fieldType ?? 'DOUBLE')} AS ${n}` : `CASE WHEN ${filter} THEN ${numericInputSql(column, fieldType ?? 'DOUBLE')} END AS ${n}`);
        break;
      case 'string-min':
      case 'string-max':
        inputs.push(`CASE WHEN ${when(undefined)} THEN ${column} END COLLATE "C" AS ${j}`);
        inputs.push(`CASE WHEN ${when(present)} THEN 1::float8 END AS ${n}`);
        break;
      case 'last':
        inputs.push(`CASE WHEN ${when(present)} THEN ev.payload->'${checkedField(feature.field)}' END AS ${j}`);
        inputs.push(`CASE WHEN ${when(present)} THEN ev.id END AS ${n}`);
        break;
    }
    cnt.push(`NULLIF(count(e.${n}), 0)::float8`);
    sm.push(layout === 'sum' ? `coalesce(sum(e.${n}), 0)::float8` : 'NULL::float8');
    mn.push(layout === 'minmax' && feature.aggregation === 'min' ? `min(e.${n})` : 'NULL::float8');
    mx.push(layout === 'minmax' && feature.aggregation === 'max' ? `max(e.${n})` : 'NULL::float8');
    if (layout === 'last') {
      // The latest input at the instant (highest events.id). Nearly every tile holds one event:
      // that input is taken as is; a tie is resolved by one primary-key probe.
      lst.push(
        `CASE WHEN count(e.${n}) <= 1 THEN min(e.${j}::text)::jsonb ELSE (SELECT l.payload->'${checkedField(feature.field)}' FROM events l WHERE l.id = max(e.${n})) END`,
      );
    } else if (layout === 'string-min') lst.push(`to_jsonb(min(e.${j}))`);
    else if (layout === 'string-max') lst.push(`to_jsonb(max(e.${j}))`);
    else lst.push('NULL::jsonb');
  });
  const record = fields.size === 0 ? '' : ` CROSS JOIN LATERAL jsonb_to_record(ev.payload) AS p(${[...fields].map(([field, type]) => `${quoted(field)} ${RECORD_TYPES[type]}`).join(', ')})`;
  return [
    'SELECT e.entity_key, e.event_time AS tile_time, count(*)::int AS event_count, max(e.ingested_at) AS max_ingested_at,',
    `  ARRAY[${cnt.join(', ')}]::float8[] AS cnt, ARRAY[${sm.join(', ')}]::float8[] AS sm,`,
    `  ARRAY[${mn.join(', ')}]::float8[] AS mn, ARRAY[${mx.join(', ')}]::float8[] AS mx,`,
    `  ${jsonArraySql(lst)} AS lst`,
    `FROM (SELECT ev.id, ${entityKeySql(featureSet, 'ev')} AS entity_key, ev.event_time, ev.ingested_at, ${inputs.join(', ')}`,
    `  FROM events ev${record} WHERE ${eventsWhere}) e`,
    'GROUP BY e.entity_key, e.event_time',
  ].join('\n');
}

/** SQL types payload fields are read as (jsonb_to_record parses each from its JSON value). */
const RECORD_TYPES: Readonly<Record<ScalarType, string>> = { DOUBLE: 'float8', INT64: 'float8', STRING: 'text', BOOL: 'boolean', TIMESTAMP: 'timestamptz' };

/** A typed field column as float8 for SUM/AVG/MIN/MAX: numbers as they are, booleans 0/1, timestamps in epoch microseconds. */
function numericInputSql(column: string, type: ScalarType): string {
  switch (type) {
    case 'BOOL':
      return `${column}::int::float8`;
    case 'TIMESTAMP':
      return `(extract(epoch FROM ${column}) * 1000000)::float8`;
    default:
      return column;
  }
}

/** A field name as a quoted SQL identifier (field names are lower_snake_case, but may be reserved words). */
function quoted(field: string): string {
  return `"${checkedField(field)}"`;
}

function checkedField(field: string): string {
  if (!FIELD_NAME.test(field)) throw new Error(`not a field name: ${JSON.stringify(field)}`);
  return field;
}

import type { FeatureDef, FeatureSet } from '../feature-set/feature-set';
import { fieldTypeOf, tileLayoutOf } from './tile-sql';

/** A feature to evaluate, with its position in the feature set's declared order (its slot in the tile arrays). */
export interface FeatureSlot {
  readonly feature: FeatureDef;
  /** 0-based declared position. */
  readonly index: number;
}

/** The slots of `names` (all features in declared order when undefined); throws for an unknown name. */
export function featureSlotsOf(featureSet: FeatureSet, names?: readonly string[]): FeatureSlot[] {
  const all = featureSet.spec.features.map((feature, index) => ({ feature, index }));
  if (names === undefined || names.length === 0) return all;
  return names.map((name) => {
    const slot = all.find((candidate) => candidate.feature.name === name);
    if (slot === undefined) throw new Error(`feature set ${featureSet.spec.name} has no feature "${name}"`);
    return slot;
  });
}

/** The longest window of the slots in seconds, or undefined when one of them has none (all history). */
export function longestWindowSeconds(slots: readonly FeatureSlot[]): number | undefined {
  let longest = 0;
  for (const { feature } of slots) {
    if (feature.windowSeconds === undefined) return undefined;
    longest = Math.max(longest, feature.windowSeconds);
  }
  return longest;
}

/**
 * Where LAST values are read from: by default an ordered aggregate over the tiles; over
 * feature_tiles a primary-key probe of the newest contributing tile is cheaper (the
 * subquery aliased `a` must then expose `entity_key`).
 */
export interface LastLookup {
  /** SQL of the feature set ID, e.g. `$1::uuid`. */
  readonly featureSetIdSql: string;
}

/**
 * The aggregate select-list items over tiles aliased `x` that evaluate the slots at the
 * instant `atSql`: per slot `c<j>` (count), `s<j>` (sum), `m<j>` (min or max), `l<j>` (LAST
 * JSON) as needed, and `et<j>` (newest contributing tile time). A tile is in a feature's
 * window when `at - window < tile_time` (the join already keeps tile_time <= at).
 */
export function windowAggregatesSql(featureSet: FeatureSet, slots: readonly FeatureSlot[], atSql: string, lastFrom?: LastLookup): string[] {
  const items: string[] = [];
  slots.forEach(({ feature, index }, j) => {
    const k = index + 1;
    const inWindow = feature.windowSeconds === undefined ? 'x.tile_time IS NOT NULL' : `x.tile_time > ${atSql} - interval '1 second' * ${checkedSeconds(feature.windowSeconds)}`;
    const contributing = `${inWindow} AND x.cnt[${k}] > 0`;
    const layout = tileLayoutOf(feature, feature.field === '' ? undefined : fieldTypeOf(featureSet, feature.field));
    switch (layout) {
      case 'count':
        items.push(`coalesce(sum(x.cnt[${k}]) FILTER (WHERE ${inWindow}), 0) AS c${j}`);
        break;
      case 'sum':
        items.push(`coalesce(sum(x.cnt[${k}]) FILTER (WHERE ${inWindow}), 0) AS c${j}`, `coalesce(sum(x.sm[${k}]) FILTER (WHERE ${inWindow}), 0) AS s${j}`);
        break;
      case 'minmax':
        items.push(feature.aggregation === 'min' ? `min(x.mn[${k}]) FILTER (WHERE ${inWindow}) AS m${j}` : `max(x.mx[${k}]) FILTER (WHERE ${inWindow}) AS m${j}`);
        break;
      case 'string-min':
        items.push(`min((x.lst->>${index}) COLLATE "C") FILTER (WHERE ${contributing}) AS m${j}`);
        break;
      case 'string-max':
        items.push(`max((x.lst->>${index}) COLLATE "C") FILTER (WHERE ${contributing}) AS m${j}`);
        break;
      case 'last':
        if (lastFrom === undefined) items.push(`(array_agg(x.lst->${index} ORDER BY x.tile_time DESC) FILTER (WHERE ${contributing}))[1] AS l${j}`);
        break;
    }
    items.push(`max(x.tile_time) FILTER (WHERE ${contributing}) AS et${j}`);
  });
  return items;
}

/**
 * Over the columns of {@link windowAggregatesSql} and a boolean column `seen` (the entity has
 * an event at or before the instant), in the subquery aliased `a`: the JSON array of the slots'
 * values in the stored Scalar convention (null when there is none) and the JSON array of
 * their event times (RFC 3339, null when none contributed).
 */
export function servedArraysSql(featureSet: FeatureSet, slots: readonly FeatureSlot[], lastFrom?: LastLookup): { values: string; eventTimes: string } {
  const values = slots.map(({ feature, index }, j) => {
    const fieldType = feature.field === '' ? undefined : fieldTypeOf(featureSet, feature.field);
    switch (tileLayoutOf(feature, fieldType)) {
      case 'count':
        return `CASE WHEN a.seen THEN to_jsonb(round(a.c${j})::bigint) END`;
      case 'sum':
        if (feature.aggregation === 'avg') return `CASE WHEN a.c${j} > 0 THEN to_jsonb(a.s${j} / a.c${j}) END`;
        return feature.type === 'INT64' ? `CASE WHEN a.seen THEN to_jsonb(round(a.s${j})::bigint) END` : `CASE WHEN a.seen THEN to_jsonb(a.s${j}) END`;
      case 'minmax':
        return typedNumberJsonSql(`a.m${j}`, fieldType ?? 'DOUBLE');
      case 'string-min':
      case 'string-max':
        return `to_jsonb(a.m${j})`;
      case 'last':
        if (lastFrom === undefined) return `a.l${j}`;
        return `(SELECT y.lst->${index} FROM feature_tiles y WHERE y.feature_set_id = ${lastFrom.featureSetIdSql} AND y.entity_key = a.entity_key AND y.tile_time = a.et${j})`;
    }
  });
  const eventTimes = slots.map((_, j) => `to_jsonb(${isoSql(`a.et${j}`)})`);
  return { values: jsonArraySql(values), eventTimes: jsonArraySql(eventTimes) };
}

/** An RFC 3339 UTC text with milliseconds of a timestamptz expression (NULL stays NULL). */
export function isoSql(timestamp: string): string {
  return `to_char(${timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

function typedNumberJsonSql(column: string, fieldType: string): string {
  switch (fieldType) {
    case 'INT64':
      return `to_jsonb(round(${column})::bigint)`;
    case 'BOOL':
      return `to_jsonb(${column} > 0)`;
    case 'TIMESTAMP':
      return `to_jsonb(${isoSql(`to_timestamp(${column} / 1000000.0)`)})`;
    default:
      return `to_jsonb(${column})`;
  }
}

/** A JSON array of SQL jsonb expressions (jsonb_build_array takes at most 100 arguments, so longer lists are concatenated). */
export function jsonArraySql(items: readonly string[]): string {
  if (items.length === 0) return `'[]'::jsonb`;
  const chunks: string[] = [];
  for (let start = 0; start < items.length; start += 90) chunks.push(`jsonb_build_array(${items.slice(start, start + 90).join(', ')})`);
  return chunks.join(' || ');
}

function checkedSeconds(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new Error(`not a window in whole seconds: ${seconds}`);
  return String(seconds);
}

import type { FeatureSet } from '../feature-set/feature-set';
import type { EvaluationInput } from './evaluation';
import { entityKeySql, tileSelectSql } from './tile-sql';
import { type FeatureSlot, longestWindowSeconds, servedArraysSql, windowAggregatesSql } from './window-sql';

/**
 * One statement evaluating `slots` at a batch of targets. Parameters: $1 entity IDs (text[]),
 * $2 instants (timestamptz[], same length), then for tiles $3 the feature set ID; for events
 * $3 the source name, $4 the latest instant and, with a knowledge cutoff, $5 knownAt.
 * Rows: `ord` (1-based target position), `seen`, `vals` and `ets` (JSON arrays in slot order).
 */
export function evaluationSql(featureSet: FeatureSet, slots: readonly FeatureSlot[], input: EvaluationInput): string {
  const targets = 'unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS t(entity_key, at, ord)';
  const lastFrom = input.from === 'tiles' ? { featureSetIdSql: '$3::uuid' } : undefined;
  const aggregates = windowAggregatesSql(featureSet, slots, 't.at', lastFrom);
  const { values, eventTimes } = servedArraysSql(featureSet, slots, lastFrom);
  let prefix = '';
  let join: string;
  let seen = 'bool_or(x.tile_time IS NOT NULL)';
  if (input.from === 'tiles') {
    const longest = longestWindowSeconds(slots);
    // With every window bounded only the tiles inside the longest one are aggregated; an index probe answers "seen".
    const lowerBound = longest === undefined ? '' : ` AND x.tile_time > t.at - interval '1 second' * ${longest}`;
    join = `LEFT JOIN feature_tiles x ON x.feature_set_id = $3::uuid AND x.entity_key = t.entity_key AND x.tile_time <= t.at${lowerBound}`;
    if (longest !== undefined) seen = `(${seen} OR EXISTS (SELECT 1 FROM feature_tiles y WHERE y.feature_set_id = $3::uuid AND y.entity_key = t.entity_key AND y.tile_time <= t.at))`;
  } else {
    const conditions = ['ev.source = $3', 'ev.event_time <= $4::timestamptz', `${entityKeySql(featureSet, 'ev')} = ANY($1::text[])`];
    if (input.knownAt !== undefined) conditions.push('ev.ingested_at <= $5::timestamptz');
    prefix = `WITH event_tiles AS MATERIALIZED (\n${tileSelectSql(featureSet, conditions.join(' AND '))}\n)\n`;
    join = 'LEFT JOIN event_tiles x ON x.entity_key = t.entity_key AND x.tile_time <= t.at';
  }
  return [
    prefix + `SELECT a.ord::int AS ord, a.seen, ${values} AS vals, ${eventTimes} AS ets FROM (`,
    `  SELECT t.ord, t.entity_key, ${seen} AS seen${aggregates.map((item) => `,\n    ${item}`).join('')}`,
    `  FROM ${targets}`,
    `  ${join}`,
    '  GROUP BY t.ord, t.entity_key, t.at',
    ') a ORDER BY a.ord',
  ].join('\n');
}

/**
 * The statement refreshing the online table of feature set $1 from its tiles at the instant
 * `atSql` (an expression, e.g. `$2::timestamptz` or a subquery): one row per entity with a
 * tile at or before it (values and event times in slot order, evaluated_at = the instant), upserted.
 */
export function onlineRefreshSql(featureSet: FeatureSet, slots: readonly FeatureSlot[], atSql = '$2::timestamptz'): string {
  const lastFrom = { featureSetIdSql: '$1::uuid' };
  const aggregates = windowAggregatesSql(featureSet, slots, 'u.at', lastFrom);
  const { values, eventTimes } = servedArraysSql(featureSet, slots, lastFrom);
  return [
    'INSERT INTO online_features (feature_set_id, entity_key, "values", event_times, evaluated_at, updated_at)',
    `SELECT $1::uuid, a.entity_key, ${values}, ${eventTimes}, a.at, now() FROM (`,
    `  SELECT x.entity_key, u.at, true AS seen${aggregates.map((item) => `,\n    ${item}`).join('')}`,
    `  FROM (SELECT ${atSql} AS at) u JOIN feature_tiles x ON x.feature_set_id = $1::uuid AND x.tile_time <= u.at`,
    '  GROUP BY x.entity_key, u.at',
    ') a',
    'ON CONFLICT (feature_set_id, entity_key) DO UPDATE SET "values" = EXCLUDED."values", event_times = EXCLUDED.event_times,',
    '  evaluated_at = EXCLUDED.evaluated_at, updated_at = EXCLUDED.updated_at',
  ].join('\n');
}

import type { FeatureDef } from '../feature-set/feature-set';

/** Column aliases of the statistics statement for feature `index`. */
export function statsColumnsOf(index: number): { slots: string; values: string; min: string; max: string; mean: string; latest: string } {
  return { slots: `slots_${index}`, values: `values_${index}`, min: `min_${index}`, max: `max_${index}`, mean: `mean_${index}`, latest: `latest_${index}` };
}

/**
 * One set-based statement computing, over the online rows of feature set $1, the entity count,
 * the time it ran, and per feature (position i in the `values` / `event_times` JSON arrays):
 * slots (entities with element i), non-null values, min/max/mean of numeric features (INT64
 * beyond 2^53 is stored as a decimal string; both cast to float8) and the newest event time.
 * Only integer positions are inlined.
 */
export function featureStatsSql(features: readonly FeatureDef[]): string {
  const columns = features.flatMap((feature, index) => {
    const names = statsColumnsOf(index);
    const value = `o."values"->${index}`;
    const nonNull = `jsonb_typeof(${value}) IS NOT NULL AND jsonb_typeof(${value}) <> 'null'`;
    const items = [`count(${value})::bigint AS ${names.slots}`, `count(*) FILTER (WHERE ${nonNull})::bigint AS ${names.values}`, `max((o.event_times->>${index})::timestamptz) AS ${names.latest}`];
    if (feature.type === 'DOUBLE' || feature.type === 'INT64') {
      const numeric = `CASE WHEN jsonb_typeof(${value}) IN ('number', 'string') THEN (o."values"->>${index})::float8 END`;
      items.push(`min(${numeric}) AS ${names.min}`, `max(${numeric}) AS ${names.max}`, `avg(${numeric}) AS ${names.mean}`);
    }
    return items;
  });
  return [`SELECT count(*)::bigint AS entity_count, clock_timestamp() AS computed_at`, ...columns].join(',\n  ') + '\nFROM online_features o WHERE o.feature_set_id = $1::uuid';
}

import type { featuresV1 } from '@strata/contracts';
import { msToDuration, toTimestamp } from '@strata/service-runtime';
import type { FeatureSetStatistics } from './feature-stats';

/** Statistics as strata.features.v1.GetFeatureStatsResponse. */
export function toFeatureStatsResponse(stats: FeatureSetStatistics): featuresV1.GetFeatureStatsResponse {
  return {
    contract: { featureSet: { name: stats.contract.name, version: stats.contract.version }, digest: stats.contract.digest },
    entityCount: String(stats.entityCount),
    computedAt: toTimestamp(stats.computedAt),
    features: stats.features.map((feature) => ({
      name: feature.name,
      count: String(feature.count),
      nullRate: feature.nullRate,
      ...(feature.min === undefined ? {} : { min: feature.min }),
      ...(feature.max === undefined ? {} : { max: feature.max }),
      ...(feature.mean === undefined ? {} : { mean: feature.mean }),
      freshnessLag: feature.freshnessLagMs === undefined ? null : msToDuration(feature.freshnessLagMs),
      latestEventTime: feature.latestEventTime === undefined ? null : toTimestamp(feature.latestEventTime),
    })),
  };
}

import type { FeatureDef } from '../feature-set/feature-set';
import type { NullReason, Scalar } from '../shared/scalar';
import type { EvaluatedFeature } from './evaluation';

/** What is served for one feature of one entity (strata.common.v1.FeatureStatus without the prefix). */
export type ServedStatus = 'PRESENT' | 'MISSING' | 'STALE' | 'DEFAULTED';

/** A feature value as served: the value, its status, why it is null, and the newest contributing event time. */
export interface ServedValue {
  readonly value: Scalar;
  readonly status: ServedStatus;
  /** Set when `value` is null. */
  readonly nullReason?: NullReason;
  /** Unset when MISSING or DEFAULTED. */
  readonly eventTime?: Date;
}

/**
 * Applies defaults and freshness to an evaluated feature at instant `at`:
 * - no value: the declared default (DEFAULTED) or a null (MISSING, with the evaluator's reason);
 *   COUNT and SUM over an empty window of an entity seen before are 0 (PRESENT);
 * - a value whose event time is before `at - staleness` (staleness = maxStalenessSeconds,
 *   else the feature set's TTL) is STALE and kept; otherwise PRESENT.
 */
export function servedValueOf(evaluated: EvaluatedFeature, feature: FeatureDef, at: Date, stalenessSeconds?: number): ServedValue {
  if (evaluated.value === null) {
    if (evaluated.nullReason === 'EMPTY_WINDOW' && (feature.aggregation === 'count' || feature.aggregation === 'sum')) return { value: 0, status: 'PRESENT' };
    if (feature.defaultValue !== undefined && feature.defaultValue !== null) return { value: feature.defaultValue, status: 'DEFAULTED' };
    return { value: null, status: 'MISSING', nullReason: evaluated.nullReason ?? 'MISSING' };
  }
  const eventTime = evaluated.eventTime;
  if (eventTime !== undefined && stalenessSeconds !== undefined && eventTime.getTime() < at.getTime() - stalenessSeconds * 1000) {
    return { value: evaluated.value, status: 'STALE', eventTime };
  }
  return eventTime === undefined ? { value: evaluated.value, status: 'PRESENT' } : { value: evaluated.value, status: 'PRESENT', eventTime };
}

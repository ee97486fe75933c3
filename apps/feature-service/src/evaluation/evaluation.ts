import type { Scalar } from '../shared/scalar';

/** One point to evaluate a feature set at: an entity and an instant (windows end there, inclusive). */
export interface EvaluationTarget {
  readonly entityKey: string;
  readonly at: Date;
}

/**
 * Where the evaluator reads events from: the materialized tiles (the offline table) or,
 * for exact "as known at" training sets, the raw events (ingested at or before knownAt).
 */
export type EvaluationInput = { readonly from: 'tiles' } | { readonly from: 'events'; readonly knownAt?: Date };

/**
 * A feature's raw value at a target, before TTL and defaults are applied. `value` null with
 * `nullReason` MISSING (entity has no event at or before the instant) or EMPTY_WINDOW
 * (events exist but none in the window / passing the filter). `eventTime` is the newest
 * event that contributed (undefined when none did).
 */
export interface EvaluatedFeature {
  readonly value: Scalar;
  readonly nullReason?: 'MISSING' | 'EMPTY_WINDOW';
  readonly eventTime?: Date;
}

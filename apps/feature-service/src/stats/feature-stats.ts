/** Statistics of one feature over the current online values of every entity. */
export interface FeatureStatistics {
  readonly name: string;
  /** Entities with a value slot for the feature. */
  readonly count: number;
  /** Fraction of those whose value is null, in [0, 1] (0 when there are none). */
  readonly nullRate: number;
  /** Numeric features with at least one value only. */
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Event time of the newest value; undefined when there are none. */
  readonly latestEventTime?: Date;
  /** computedAt minus latestEventTime, in milliseconds. */
  readonly freshnessLagMs?: number;
}

/** Statistics of a feature set version's online values. */
export interface FeatureSetStatistics {
  readonly contract: { readonly name: string; readonly version: number; readonly digest: string };
  /** One entry per feature, in declared order. */
  readonly features: readonly FeatureStatistics[];
  readonly entityCount: number;
  readonly computedAt: Date;
}

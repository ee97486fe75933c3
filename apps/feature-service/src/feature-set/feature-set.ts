import type { Scalar, ScalarType } from '../shared/scalar';
import type { Source } from '../source/source';

/** How a feature aggregates source events (strata.features.v1.Aggregation, lower case). */
export type Aggregation = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'last';

/** One feature of a feature set, validated. */
export interface FeatureDef {
  readonly name: string;
  /** Output type, consistent with the aggregation and the field. */
  readonly type: ScalarType;
  readonly aggregation: Aggregation;
  /** Source field aggregated; '' for a COUNT of events. */
  readonly field: string;
  /** Trailing window (t - window, t] in whole seconds; undefined = all history. */
  readonly windowSeconds?: number;
  /** Row filter text as applied ('' = none); parse it with filter/parseFilter. */
  readonly filter: string;
  /** Served when no value exists (status DEFAULTED); undefined = none (status MISSING). */
  readonly defaultValue?: Scalar;
  readonly description: string;
}

/** A feature set version's definition, canonical, with the source version resolved. */
export interface FeatureSetSpec {
  readonly name: string;
  readonly version: number;
  readonly entity: { readonly name: string; readonly keyFields: readonly string[] };
  readonly source: { readonly name: string; readonly version: number };
  readonly features: readonly FeatureDef[];
  /** Freshness limit in whole seconds; undefined = values never become stale. */
  readonly ttlSeconds?: number;
  readonly owner: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An applied feature set version with its resolved source version. */
export interface FeatureSet {
  readonly id: string;
  readonly spec: FeatureSetSpec;
  /** `sha256:<hex>` of the canonical spec: the feature contract version. */
  readonly contractDigest: string;
  readonly createdAt: Date;
  /** End of the latest completed online materialization; undefined = never materialized. */
  readonly materializedUntil?: Date;
  /** Bumped by every materialization that rewrites online values. */
  readonly onlineGeneration: bigint;
  readonly source: Source;
}

/** `<name>:<version>@<digest>`, as in the strata-feature-contract header. */
export function contractLabel(featureSet: FeatureSet): string {
  return `${featureSet.spec.name}:${featureSet.spec.version}@${featureSet.contractDigest}`;
}

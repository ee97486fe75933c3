/** A feature contract a version was trained against: a feature set version and its contract digest. */
export interface FeatureContractRef {
  readonly featureSet: string;
  readonly version: number;
  /** `sha256:<64 hex>`; empty when the lineage did not record it. */
  readonly digest: string;
}

/** What the feature service says about one feature set version. */
export interface ServedFeatureSet {
  readonly found: boolean;
  /** Its contract digest (empty when not found). */
  readonly contractDigest: string;
  /** End of its latest materialization; undefined = never materialized (not served yet). */
  readonly materializedUntil?: Date;
}

/** `<feature_set>:<version>`, the key of a contract in lookups and gate checks. */
export function featureContractKey(ref: Pick<FeatureContractRef, 'featureSet' | 'version'>): string {
  return `${ref.featureSet}:${ref.version}`;
}

/**
 * Port to the feature service: looks up each feature set version. Throws UnavailableError
 * when the feature service cannot be asked (no address configured, unreachable, too slow).
 */
export abstract class FeatureContractChecker {
  abstract lookup(refs: readonly FeatureContractRef[]): Promise<ReadonlyMap<string, ServedFeatureSet>>;
}

import { type OnlineFeatureStatus } from './feature-store';

/** A prediction row that does not match the served version's feature contract; `field` is the request path, e.g. `rows[3].features.distance`. */
export class RowInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RowInputError';
  }
}

/** One stored feature that was not served PRESENT (FETCH_FAILED: the whole fetch of its feature set failed or timed out). */
export interface FreshnessViolation {
  readonly entityId: string;
  /** `<feature_set>.<feature>`. */
  readonly feature: string;
  readonly status: Exclude<OnlineFeatureStatus, 'PRESENT'> | 'FETCH_FAILED';
}

/**
 * Strict features were asked for (request `strict_features`, or the version tag
 * `strata.requires_fresh_features=true`) and some stored feature was not PRESENT.
 * The service answers FAILED_PRECONDITION.
 */
export class FreshFeaturesRequiredError extends Error {
  constructor(
    readonly violations: readonly FreshnessViolation[],
    readonly reason: 'STRICT_FEATURES' | 'REQUIRES_FRESH_FEATURES',
  ) {
    const listed = violations
      .slice(0, 10)
      .map((violation) => `${violation.entityId || '(no entity)'}/${violation.feature} ${violation.status}`)
      .join(', ');
    const more = violations.length > 10 ? ` and ${violations.length - 10} more` : '';
    const why = reason === 'STRICT_FEATURES' ? 'strict_features was requested' : 'the model version requires fresh features (strata.requires_fresh_features=true)';
    super(`${why}, but ${violations.length} stored feature value(s) were not PRESENT: ${listed}${more}`);
    this.name = 'FreshFeaturesRequiredError';
  }
}

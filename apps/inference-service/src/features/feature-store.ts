/** A scalar feature value as inference sees it: INT64 arrives as a number, TIMESTAMP as epoch milliseconds, null = no value. */
export type FeatureScalar = number | boolean | string | null;

/** The type of a stored feature (strata.common.v1.ValueType without its prefix). */
export type FeatureValueType = 'DOUBLE' | 'INT64' | 'STRING' | 'BOOL' | 'TIMESTAMP';

/** How one stored feature value was served (strata.common.v1.FeatureStatus without its prefix). */
export type OnlineFeatureStatus = 'PRESENT' | 'MISSING' | 'STALE' | 'DEFAULTED';

/** One feature set version, as pinned by a model's lineage. */
export interface FeatureSetRef {
  readonly name: string;
  readonly version: number;
}

/** A feature set version with the digest of its definition: the "feature contract version". */
export interface FeatureContract extends FeatureSetRef {
  /** `sha256:<64 hex>` (contract_digest). */
  readonly digest: string;
}

/** One feature of a feature set contract. */
export interface FeatureDefinition {
  readonly name: string;
  readonly type: FeatureValueType;
  /** FeatureSpec.default_value; null when the contract declares no default. */
  readonly defaultValue: FeatureScalar;
}

/** A feature set version as applied in the feature-service (GetFeatureSet). */
export interface FeatureSetContract extends FeatureContract {
  /** The features in declared order. */
  readonly features: readonly FeatureDefinition[];
  /** Freshness limit for online values; undefined = never stale. */
  readonly ttlMs?: number;
}

/** A GetOnlineFeatures request. */
export interface OnlineFeaturesRequest {
  /** A pinned version (>= 1). */
  readonly featureSet: FeatureSetRef;
  /** 1 to 1000 entity IDs. */
  readonly entityIds: readonly string[];
  /** Unqualified feature names; omitted or empty = every feature of the set. */
  readonly features?: readonly string[];
  /** Overrides the feature set's TTL for this request. */
  readonly maxStalenessMs?: number;
}

/** One served value. */
export interface OnlineFeatureValue {
  /** Unqualified feature name. */
  readonly name: string;
  /** The value; null when MISSING; the default when DEFAULTED; the old value when STALE. */
  readonly value: FeatureScalar;
  readonly status: OnlineFeatureStatus;
  /** Event time of the newest contributing event; unset when MISSING or DEFAULTED. */
  readonly eventTime?: Date;
}

/** GetOnlineFeatures' answer: one entry per requested entity ID, in request order. */
export interface OnlineFeaturesResult {
  readonly contract: FeatureContract;
  readonly entities: readonly { readonly entityId: string; readonly features: readonly OnlineFeatureValue[] }[];
}

/** Per-call options: the call never outlives `deadlineMs`; `signal` cancels it earlier. */
export interface FeatureCallOptions {
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

/** Why a feature store call failed. */
export type FeatureStoreFailure = 'NOT_CONFIGURED' | 'NOT_FOUND' | 'TIMEOUT' | 'CANCELLED' | 'UNAVAILABLE' | 'REJECTED' | 'FAILED';

/** A failed feature store call, with a reason callers can branch on. */
export class FeatureStoreError extends Error {
  constructor(
    readonly reason: FeatureStoreFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FeatureStoreError';
  }
}

/**
 * The feature-service as inference sees it (the port): feature set contracts at model load,
 * online values on the request path. gRPC in production, fakes in unit tests.
 */
export abstract class FeatureStore {
  /** GetFeatureSet of one version; throws {@link FeatureStoreError} (NOT_FOUND, UNAVAILABLE, ...). */
  abstract getFeatureSet(ref: FeatureSetRef, options: FeatureCallOptions): Promise<FeatureSetContract>;
  /** GetOnlineFeatures; throws {@link FeatureStoreError} when the call fails as a whole. */
  abstract getOnlineFeatures(request: OnlineFeaturesRequest, options: FeatureCallOptions): Promise<OnlineFeaturesResult>;
}

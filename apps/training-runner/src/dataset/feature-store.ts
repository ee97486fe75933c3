/** A dataset cell: numbers (INT64 as number), strings, booleans, timestamps as epoch ms, null when missing. */
export type Cell = number | string | boolean | null;

/** Column types of a dataset (strata.common.v1.ValueType). */
export type ColumnType = 'DOUBLE' | 'INT64' | 'STRING' | 'BOOL' | 'TIMESTAMP';

/** A dataset column and its role. */
export interface DatasetColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly role: 'entity_id' | 'timestamp' | 'feature' | 'extra';
}

/** A feature set version a dataset was computed from, with its contract digest. */
export interface FeatureContract {
  readonly name: string;
  readonly version: number;
  readonly digest: string;
}

/** A point-in-time training snapshot at the feature service. */
export interface DatasetSnapshot {
  readonly id: string;
  /** `sha256:<64 hex>`. */
  readonly digest: string;
  readonly rowCount: number;
  readonly columns: readonly DatasetColumn[];
  readonly featureContracts: readonly FeatureContract[];
}

/** What to build: one row per label-source event in the range, features as of the event time. */
export interface TrainingSetRequest {
  readonly featureSets: readonly { readonly name: string; readonly version: number }[];
  readonly source: string;
  /** Epoch ms, end exclusive. */
  readonly timeRange: { readonly start: number; readonly end: number };
  /** Source fields copied as extra columns (the label, request-time features). */
  readonly extraFields: readonly string[];
  readonly filter: string;
  /** Qualified feature names; empty = every feature of the sets. */
  readonly features: readonly string[];
}

/** Feature sets or sources that do not exist (NOT_FOUND at submit time). */
export interface MissingReferences {
  readonly featureSets: readonly { readonly name: string; readonly version: number }[];
  readonly sources: readonly string[];
}

/**
 * The feature service as training sees it: builds point-in-time training snapshots and streams
 * their rows. Implemented over strata.features.v1 gRPC; fakes in unit tests.
 */
export abstract class FeatureStore {
  /** Which of the referenced feature set versions and sources do not exist. */
  abstract findMissing(featureSets: TrainingSetRequest['featureSets'], sources: readonly string[]): Promise<MissingReferences>;
  /** Builds (or finds, for identical inputs over unchanged data) a training snapshot. */
  abstract buildTrainingSet(request: TrainingSetRequest, signal: AbortSignal): Promise<DatasetSnapshot>;
  /** Every row of a snapshot, in its stable order, values in column order. */
  abstract readRows(snapshotId: string, signal: AbortSignal): AsyncIterable<readonly Cell[][]>;
}

/** A failure talking to the feature service; `retryable` for transport-level trouble. */
export class FeatureStoreError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: 'DATASET_BUILD_FAILED' | 'DATASET_EMPTY' = 'DATASET_BUILD_FAILED',
  ) {
    super(message);
    this.name = 'FeatureStoreError';
  }
}

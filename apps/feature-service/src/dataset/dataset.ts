import type { NullReason, Scalar, ScalarType } from '../shared/scalar';

/** Role of a dataset column (strata.features.v1.ColumnRole without the prefix). */
export type ColumnRole = 'ENTITY_ID' | 'TIMESTAMP' | 'FEATURE' | 'EXTRA';

/** One dataset column, in row order. */
export interface DatasetColumn {
  readonly name: string;
  readonly type: ScalarType;
  readonly role: ColumnRole;
}

/**
 * One stored dataset cell: a scalar in the shared/scalar.ts storage convention, or a null
 * with its reason as `{"null": "<REASON>"}` (so ReadDataset can tell MISSING from
 * EMPTY_WINDOW or EXPLICIT). A plain JSON null is read as MISSING.
 */
export type DatasetCell = Exclude<Scalar, null> | { readonly null: NullReason };

/** A null cell with `reason`. */
export function nullCell(reason: NullReason): DatasetCell {
  return { null: reason };
}

/** A feature contract a dataset was computed from (strata.common.v1.FeatureContract). */
export interface DatasetFeatureContract {
  readonly name: string;
  readonly version: number;
  readonly digest: string;
}

/**
 * Row timestamps covered by a dataset. The wire end is exclusive (`latest` + 1 µs); JS
 * Dates hold milliseconds, so the domain keeps the latest row timestamp and the mapper adds
 * the microsecond.
 */
export interface DatasetTimeRange {
  readonly start: Date;
  readonly latest: Date;
}

/** An immutable, content-addressed training set (its rows are read separately). */
export interface DatasetSnapshot {
  readonly id: string;
  /** `sha256:<hex>` of the canonical schema, feature contracts and rows. */
  readonly digest: string;
  readonly rowCount: number;
  readonly columns: readonly DatasetColumn[];
  readonly featureContracts: readonly DatasetFeatureContract[];
  readonly createdAt: Date;
  /** Undefined for an empty dataset. */
  readonly timeRange?: DatasetTimeRange;
}

/** A batch of consecutive rows of a dataset. */
export interface DatasetRowBatch {
  /** 0-based index of the first row. */
  readonly startRow: number;
  readonly rows: readonly (readonly DatasetCell[])[];
}

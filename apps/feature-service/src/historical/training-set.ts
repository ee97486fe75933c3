import type { DatasetCell } from '../dataset/dataset';
import type { ScalarType } from '../shared/scalar';

/** Most inline entity rows one GetHistoricalFeatures request may carry. */
export const MAX_INLINE_ROWS = 100_000;

/** An extra column of inline entity rows, typed by the wire Value kind of its values. */
export interface ExtraColumn {
  readonly name: string;
  readonly type: ScalarType;
  /** Request field path where the column first appears, for error messages. */
  readonly field: string;
}

/** One entity row given inline: extras in the request's extra-column order. */
export interface InlineEntityRow {
  readonly entityId: string;
  readonly at: Date;
  readonly extras: readonly DatasetCell[];
}

/** Entity rows taken from a source's accepted events in [start, end). */
export interface EntityQuery {
  readonly source: string;
  readonly start: Date;
  readonly end: Date;
  readonly extraFields: readonly string[];
  /** Filter text ('' = all events), same grammar as FeatureSpec.filter. */
  readonly filter: string;
}

/** Where a training set's entity rows come from. */
export type EntitySelection = { readonly kind: 'rows'; readonly rows: readonly InlineEntityRow[]; readonly extraColumns: readonly ExtraColumn[] } | { readonly kind: 'query'; readonly query: EntityQuery };

/** A GetHistoricalFeatures request, shape-checked. */
export interface TrainingSetRequest {
  readonly featureSets: readonly { readonly name: string; readonly version: number }[];
  readonly entities: EntitySelection;
  /** Qualified feature names; empty = every feature of every listed set. */
  readonly features: readonly string[];
  /** Only events ingested at or before this instant are used; undefined = all. */
  readonly knownAt?: Date;
}

/** One resolved entity row: the entity, the row's point in time and its extra cells in column order. */
export interface EntityRow {
  readonly entityId: string;
  readonly at: Date;
  readonly extras: readonly DatasetCell[];
}

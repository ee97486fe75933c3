import type { Scalar, ScalarType } from '../shared/scalar';

/** Schema and constraints of one source field (strata.features.v1.FieldSchema). */
export interface FieldSchema {
  readonly name: string;
  readonly type: ScalarType;
  readonly nullable: boolean;
  /** Inclusive bounds, DOUBLE and INT64 only. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values, STRING only; empty = any. */
  readonly allowedValues: readonly string[];
  /** Maximum length in code points, STRING only. */
  readonly maxLength?: number;
  readonly description: string;
}

/** The desired state of an event source (strata.features.v1.SourceSpec), canonical: fields in declared order. */
export interface SourceSpec {
  readonly name: string;
  readonly entityKeyFields: readonly string[];
  readonly eventTimeField: string;
  readonly fields: readonly FieldSchema[];
  readonly description: string;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An applied source version. */
export interface Source {
  readonly id: string;
  readonly version: number;
  /** `sha256:<hex>` of the canonical spec. */
  readonly digest: string;
  readonly spec: SourceSpec;
  readonly createdAt: Date;
  /** Event time of the newest accepted event; undefined when none. */
  readonly latestEventTime?: Date;
}

/** A validated event row: field values by name (absent = null), the event time and the entity key. */
export interface ValidEvent {
  readonly payload: Readonly<Record<string, Scalar>>;
  readonly eventTime: Date;
  /** The source's entity key values joined with `|`. */
  readonly entityKey: string;
}

/** Why a row was rejected (strata.features.v1.RejectionReason without the prefix). */
export type RejectionReason = 'MISSING_FIELD' | 'TYPE_MISMATCH' | 'OUT_OF_RANGE' | 'NOT_ALLOWED_VALUE' | 'TOO_LONG' | 'UNKNOWN_FIELD' | 'PARSE_ERROR';

/** Every rejection reason, in proto order. */
export const REJECTION_REASONS: readonly RejectionReason[] = ['MISSING_FIELD', 'TYPE_MISMATCH', 'OUT_OF_RANGE', 'NOT_ALLOWED_VALUE', 'TOO_LONG', 'UNKNOWN_FIELD', 'PARSE_ERROR'];

/** A row failed validation: the reason, the offending field ('' for the whole row) and a message like `delay=-900 is below min -120`. */
export class RowRejectedError extends Error {
  override readonly name = 'RowRejectedError';

  constructor(
    readonly reason: RejectionReason,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A rejected row on its way to quarantine. */
export interface RejectedRow {
  /** 0-based index in the stream, or the record number in the file. */
  readonly rowIndex: number;
  /** The row's event_id ('' when it had none). */
  readonly eventId: string;
  readonly reason: RejectionReason;
  readonly field: string;
  readonly message: string;
  /** The row's values as received (JSON scalars), when it could be parsed into fields. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The raw text of the record, when it could not be parsed. */
  readonly raw?: string;
  /** Makes a re-imported file quarantine the row only once; undefined = always insert. */
  readonly dedupeKey?: string;
}

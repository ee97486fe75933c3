import type { commonV1 } from '@strata/contracts';
import type { RejectionReason } from './rejection';

/** Most rows one IngestEvents message may carry (RESOURCE_EXHAUSTED above). */
export const MAX_ROWS_PER_MESSAGE = 10_000;

/** Rejections returned in an IngestEvents summary. */
export const MAX_REJECTION_SAMPLES = 100;

/** One row of an IngestEvents message, as received. */
export interface IncomingRow {
  readonly fields: Readonly<Record<string, commonV1.Value | null | undefined>>;
  /** '' when the client gave none. */
  readonly eventId: string;
}

/** One IngestEvents message. */
export interface IncomingBatch {
  /** '' when the message does not name it. */
  readonly source: string;
  readonly rows: readonly IncomingRow[];
}

/** A rejection reported back to the client. */
export interface RowRejectionSample {
  readonly rowIndex: number;
  readonly eventId: string;
  readonly reason: RejectionReason;
  readonly field: string;
  readonly message: string;
}

/** The summary of an IngestEvents stream. */
export interface IngestSummary {
  readonly source: string;
  readonly sourceVersion: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly rejectionSamples: readonly RowRejectionSample[];
}

import type { featuresV1 } from '@strata/contracts';
import type { IncomingBatch, IngestSummary } from './ingestion';
import type { RejectionReason } from './rejection';

/** An IngestEvents message as the domain reads it. */
export function incomingBatchOf(request: featuresV1.IngestEventsRequest): IncomingBatch {
  return {
    source: request.source ?? '',
    rows: (request.rows ?? []).map((row) => ({ fields: row.fields ?? {}, eventId: row.eventId ?? '' })),
  };
}

/** `TYPE_MISMATCH` -> `REJECTION_REASON_TYPE_MISMATCH`. */
export function toWireReason(reason: RejectionReason): featuresV1.RejectionReason {
  return `REJECTION_REASON_${reason}` as featuresV1.RejectionReason;
}

/** The IngestEvents summary on the wire. */
export function toIngestResponse(summary: IngestSummary): featuresV1.IngestEventsResponse {
  return {
    source: summary.source,
    sourceVersion: summary.sourceVersion,
    accepted: String(summary.accepted),
    rejected: String(summary.rejected),
    duplicates: String(summary.duplicates),
    rejectionSamples: summary.rejectionSamples.map((sample) => ({
      rowIndex: String(sample.rowIndex),
      eventId: sample.eventId,
      reason: toWireReason(sample.reason),
      field: sample.field,
      message: sample.message,
    })),
  };
}

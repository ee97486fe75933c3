import type { commonV1, featuresV1 } from '@strata/contracts';
import { InvalidArgumentError, parseInstantText, toTimestamp } from '@strata/service-runtime';
import { toWireReason } from '../ingestion/ingestion.mapper';
import { REJECTION_REASONS, type RejectionReason } from '../ingestion/rejection';
import { type ScalarType, toWireValue } from '../shared/scalar';
import type { QuarantinedRow, QuarantineFilter } from './quarantine';

/** `REJECTION_REASON_TOO_LONG` -> `TOO_LONG`; UNSPECIFIED -> undefined (any reason). */
export function rejectionReasonOf(wire: featuresV1.RejectionReason | string | undefined, field = 'reason'): RejectionReason | undefined {
  const name = String(wire ?? '').replace(/^REJECTION_REASON_/, '');
  if (name === '' || name === 'UNSPECIFIED') return undefined;
  if (!(REJECTION_REASONS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown rejection reason ${String(wire)}`, [{ field, description: 'must be a RejectionReason' }]);
  return name as RejectionReason;
}

/** ListQuarantine filters; empty strings and UNSPECIFIED do not filter. */
export function quarantineFilterOf(request: featuresV1.ListQuarantineRequest): QuarantineFilter {
  const reason = rejectionReasonOf(request.reason);
  return {
    ...(request.source ? { source: request.source } : {}),
    ...(reason === undefined ? {} : { reason }),
    ...(request.jobId ? { jobId: request.jobId } : {}),
  };
}

/**
 * A quarantined row on the wire. Stored JSON values become Values of the source field's
 * type when they fit it (a rejected value may not: `"ten"` for a DOUBLE stays a string);
 * otherwise by their JSON type.
 */
export function toQuarantinedRowMessage(row: QuarantinedRow, fieldTypes: Readonly<Record<string, ScalarType>> = {}): featuresV1.QuarantinedRow {
  return {
    id: row.id,
    source: row.source,
    sourceVersion: row.sourceVersion,
    rejection: { rowIndex: String(row.rowIndex), eventId: row.eventId, reason: toWireReason(row.reason), field: row.field, message: row.message },
    fields: Object.fromEntries(Object.entries(row.fields ?? {}).map(([name, value]) => [name, toValue(value, fieldTypes[name])])),
    raw: row.raw ?? '',
    jobId: row.jobId ?? '',
    quarantinedAt: toTimestamp(row.quarantinedAt),
    replayAttempts: row.replayAttempts,
  };
}

function toValue(value: unknown, type: ScalarType | undefined): commonV1.Value {
  if (value === null || value === undefined) return { nullReason: 'NULL_REASON_EXPLICIT' as commonV1.NullReason };
  if (type === 'DOUBLE' && typeof value === 'number') return { doubleValue: value };
  if (type === 'TIMESTAMP' && typeof value === 'string' && !Number.isNaN(parseInstantText(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return toWireValue(value, 'TIMESTAMP');
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { int64Value: String(value) } : { doubleValue: value };
  if (typeof value === 'string') return { stringValue: value };
  return { stringValue: JSON.stringify(value) };
}

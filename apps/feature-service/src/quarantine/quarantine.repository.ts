import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import type { EventToWrite } from '../ingestion/event-writer';
import type { RejectedRow, RejectionReason } from '../ingestion/rejection';
import type { QuarantinedRow, QuarantineFilter } from './quarantine';

type Row = Prisma.QuarantinedRowGetPayload<object>;

/** A replayed row that failed again, with its new rejection. */
export interface StillRejected {
  readonly id: string;
  readonly rejection: Pick<RejectedRow, 'reason' | 'field' | 'message'>;
}

/** Quarantined rows: listing, replay selection and the outcome of a replay batch. The only Prisma user of the quarantine domain. */
@Injectable()
export class QuarantineRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Rows matching `filter`, newest first (UUIDv7 IDs), older than `beforeId`, at most `limit`. */
  async list(filter: QuarantineFilter, beforeId: string | undefined, limit: number): Promise<QuarantinedRow[]> {
    const rows = await this.prisma.quarantinedRow.findMany({
      where: {
        ...(beforeId === undefined ? {} : { id: { lt: beforeId } }),
        ...(filter.source === undefined ? {} : { source: filter.source }),
        ...(filter.reason === undefined ? {} : { reason: filter.reason }),
        ...(filter.jobId === undefined ? {} : { jobId: filter.jobId }),
      },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return rows.map(toQuarantinedRow);
  }

  /** Of `ids`, those that are not quarantined rows of `source`. */
  async unknownIds(source: string, ids: readonly string[]): Promise<string[]> {
    const found = await this.prisma.quarantinedRow.findMany({ where: { source, id: { in: [...ids] } }, select: { id: true } });
    const known = new Set(found.map((row) => row.id));
    return ids.filter((id) => !known.has(id));
  }

  /** How many rows a replay selection covers. */
  async countSelection(source: string, rowIds: readonly string[], reason: RejectionReason | undefined): Promise<number> {
    return this.prisma.quarantinedRow.count({ where: selection(source, rowIds, reason) });
  }

  /** The next rows of a replay selection after `afterId`, in ID order. */
  async nextBatch(source: string, rowIds: readonly string[], reason: RejectionReason | undefined, afterId: string | undefined, limit: number): Promise<QuarantinedRow[]> {
    const rows = await this.prisma.quarantinedRow.findMany({
      where: { ...selection(source, rowIds, reason), ...(afterId === undefined ? {} : { id: { gt: afterId } }) },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map(toQuarantinedRow);
  }

  /**
   * Applies one replay batch in one transaction: accepted rows become events (an existing
   * event ID is skipped) and leave quarantine; still-failing rows get their new rejection,
   * the source version and one more replay attempt.
   */
  async applyReplay(source: string, sourceVersion: number, accepted: readonly (EventToWrite & { quarantineId: string })[], stillRejected: readonly StillRejected[]): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      let inserted = 0;
      if (accepted.length > 0) {
        inserted = await tx.$executeRawUnsafe(
          `INSERT INTO events (source, source_version, entity_key, event_time, event_id, payload)
           SELECT $1, $2::int, k, t, i, p::jsonb FROM unnest($3::text[], $4::timestamptz[], $5::text[], $6::text[]) AS rows(k, t, i, p)
           ON CONFLICT (source, event_id) DO NOTHING`,
          source,
          sourceVersion,
          accepted.map((row) => row.event.entityKey),
          accepted.map((row) => row.event.eventTime.toISOString()),
          accepted.map((row) => row.eventId),
          accepted.map((row) => JSON.stringify(row.event.payload)),
        );
        await tx.quarantinedRow.deleteMany({ where: { id: { in: accepted.map((row) => row.quarantineId) } } });
      }
      if (stillRejected.length > 0) {
        await tx.$executeRawUnsafe(
          `UPDATE quarantined_rows q SET reason = u.reason, field = u.field, message = u.message, source_version = $1::int, replay_attempts = q.replay_attempts + 1
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(id, reason, field, message)
            WHERE q.id = u.id`,
          sourceVersion,
          stillRejected.map((row) => row.id),
          stillRejected.map((row) => row.rejection.reason),
          stillRejected.map((row) => row.rejection.field),
          stillRejected.map((row) => row.rejection.message),
        );
      }
      return inserted;
    });
  }
}

function selection(source: string, rowIds: readonly string[], reason: RejectionReason | undefined): Prisma.QuarantinedRowWhereInput {
  return { source, ...(rowIds.length === 0 ? {} : { id: { in: [...rowIds] } }), ...(reason === undefined ? {} : { reason }) };
}

function toQuarantinedRow(row: Row): QuarantinedRow {
  return {
    id: row.id,
    source: row.source,
    sourceVersion: row.sourceVersion,
    reason: row.reason as RejectionReason,
    field: row.field,
    message: row.message,
    rowIndex: Number(row.rowIndex),
    eventId: row.eventId,
    ...(row.fields === null || typeof row.fields !== 'object' ? {} : { fields: row.fields as Record<string, unknown> }),
    ...(row.raw === null ? {} : { raw: row.raw }),
    ...(row.jobId === null ? {} : { jobId: row.jobId }),
    ...(row.dedupeKey === null ? {} : { dedupeKey: row.dedupeKey }),
    quarantinedAt: row.quarantinedAt,
    replayAttempts: row.replayAttempts,
  };
}

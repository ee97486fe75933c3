import { Injectable } from '@nestjs/common';
import { getRequestContext } from '@strata/observability';
import { type Prisma, PrismaClient } from '../generated/prisma/client';
import type { AuditAction, AuditEntry, AuditRecord } from './audit-entry';

/** Which entries of a model to read, newest first. */
export interface AuditQuery {
  readonly modelName: string;
  readonly limit: number;
  /** Start after this entry (the last one of the previous page). */
  readonly afterId?: string;
  readonly action?: AuditAction;
  /** Half-open time range [from, to). */
  readonly from?: Date;
  readonly to?: Date;
}

/** A Prisma client or the transaction client of an interactive transaction. */
export type PrismaTx = PrismaClient | Prisma.TransactionClient;

/**
 * The append-only audit log. `append` takes the transaction of the change it records, so
 * a change and its audit entry commit (or roll back) together.
 */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async append(tx: PrismaTx, record: AuditRecord): Promise<void> {
    await tx.auditLogEntry.create({
      data: {
        modelName: record.modelName,
        actor: record.caller.subject,
        role: record.caller.role,
        action: record.action,
        reason: record.reason ?? '',
        requestId: getRequestContext().requestId ?? null,
        details: toJson({
          alias: record.alias,
          version: record.version,
          before: record.before,
          after: record.after,
          revision: record.revision === undefined ? undefined : record.revision.toString(),
          gate: record.gate,
        }),
      },
    });
  }

  /** Appends an entry on its own, e.g. a refused change recorded after its transaction rolled back. */
  appendAlone(record: AuditRecord): Promise<void> {
    return this.append(this.prisma, record);
  }

  /** A model's entries, newest first, `limit` at most, starting after the entry `afterId`. */
  list(modelName: string, limit: number, afterId?: string, action?: AuditAction): Promise<AuditEntry[]> {
    return this.find({ modelName, limit, ...(afterId === undefined ? {} : { afterId }), ...(action === undefined ? {} : { action }) });
  }

  /** A model's entries matching `query`, newest first. */
  async find(query: AuditQuery): Promise<AuditEntry[]> {
    const time = { ...(query.from === undefined ? {} : { gte: query.from }), ...(query.to === undefined ? {} : { lt: query.to }) };
    const rows = await this.prisma.auditLogEntry.findMany({
      where: { modelName: query.modelName, ...(query.action === undefined ? {} : { action: query.action }), ...(Object.keys(time).length === 0 ? {} : { createdAt: time }) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit,
      ...(query.afterId === undefined ? {} : { cursor: { id: query.afterId }, skip: 1 }),
    });
    return rows.map((row) => {
      const details = (row.details ?? {}) as { alias?: string; version?: number; before?: unknown; after?: unknown; revision?: string; gate?: unknown };
      return {
        id: row.id,
        time: row.createdAt,
        requestId: row.requestId ?? undefined,
        caller: { subject: row.actor, role: row.role as AuditEntry['caller']['role'] },
        action: row.action as AuditAction,
        modelName: row.modelName,
        alias: details.alias,
        version: details.version,
        reason: row.reason,
        before: details.before,
        after: details.after,
        revision: details.revision === undefined ? undefined : BigInt(details.revision),
        gate: details.gate,
      };
    });
  }
}

// JSON for a jsonb column: drops undefined, bigint as text.
function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Prisma.InputJsonValue;
}

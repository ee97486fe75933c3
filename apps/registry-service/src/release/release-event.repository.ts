import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { type Prisma, PrismaClient } from '../generated/prisma/client';
import type { TrafficPolicy } from '../traffic-policy/traffic-policy';
import type { NewReleaseEvent, ReleaseChange, ReleaseEvent, ReleaseVersionStatus } from './release-event';

/**
 * Key of the advisory lock that serializes every writer of release state. BIGSERIAL hands
 * out revisions in call order, not commit order: without the lock, a transaction holding
 * revision 7 could commit after one holding 8, and a watcher that already read 8 would
 * never see 7. Holding this lock from before `nextval` until commit makes commit order
 * equal revision order (on PostgreSQL and PGlite alike).
 */
export const RELEASE_LOCK_KEY = 0x5354_5241_5245_4cn; // "STRAREL"

/** Where release events are read from: the table, or a fake in unit tests. */
export interface ReleaseEventSource {
  /** Highest committed revision; 0 when there is none. */
  head(): Promise<bigint>;
  /** Events with `after < revision <= upTo` (upTo unbounded when undefined), oldest first, `limit` at most. */
  listAfter(after: bigint, options: { readonly modelId?: string; readonly upTo?: bigint; readonly limit: number }): Promise<ReleaseEvent[]>;
}

interface StoredPayload {
  readonly alias?: string;
  readonly version?: number;
  readonly previousVersion?: number | null;
  readonly artifactSha256?: string;
  readonly status?: ReleaseVersionStatus;
  readonly trafficPolicy?: { splits: { alias: string; percent: number }[]; shadowAlias?: string | null; shadowPercent: number };
  readonly actor: string;
  readonly reason: string;
}

/** The release event log: every change of release state, with its revision, in commit order. */
@Injectable()
export class ReleaseEventRepository implements ReleaseEventSource {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Takes the release lock for the rest of `tx` (re-entrant). `append` takes it; lock order
   * is the model's row first, then this lock (see ReleaseTransaction), so writers never deadlock.
   */
  async lock(tx: PrismaTx): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RELEASE_LOCK_KEY})`;
  }

  /** Shared form of {@link lock}: readers that need a state no release writer is half-way through. */
  async lockShared(tx: PrismaTx): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${RELEASE_LOCK_KEY})`;
  }

  /**
   * Records a release change in the transaction that makes it and returns its revision. Takes
   * the release lock first and keeps it until commit, so revisions become visible in order.
   * Call it after the model's row lock and as late as possible in the transaction.
   */
  async append(tx: PrismaTx, event: NewReleaseEvent): Promise<bigint> {
    await this.lock(tx);
    const row = await tx.releaseEvent.create({
      data: { modelId: event.modelId, kind: event.change.kind, payload: toPayload(event) as unknown as Prisma.InputJsonValue },
      select: { revision: true },
    });
    return row.revision;
  }

  async head(tx: PrismaTx = this.prisma): Promise<bigint> {
    const result = await tx.releaseEvent.aggregate({ _max: { revision: true } });
    return result._max.revision ?? 0n;
  }

  async listAfter(after: bigint, options: { readonly modelId?: string; readonly upTo?: bigint; readonly limit: number }): Promise<ReleaseEvent[]> {
    const rows = await this.prisma.releaseEvent.findMany({
      where: { revision: { gt: after, ...(options.upTo === undefined ? {} : { lte: options.upTo }) }, ...(options.modelId === undefined ? {} : { modelId: options.modelId }) },
      orderBy: { revision: 'asc' },
      take: options.limit,
      include: { model: { select: { name: true } } },
    });
    return rows.map((row) => fromRow(row.revision, row.modelId, row.model.name, row.kind, row.payload as unknown as StoredPayload, row.createdAt));
  }
}

function toPayload(event: NewReleaseEvent): StoredPayload {
  const common = { actor: event.actor, reason: event.reason };
  const change = event.change;
  switch (change.kind) {
    case 'alias_moved':
      return { ...common, alias: change.alias, version: change.version, previousVersion: change.previousVersion ?? null, artifactSha256: change.artifactSha256 };
    case 'traffic_policy_changed':
      return { ...common, trafficPolicy: { splits: change.trafficPolicy.splits.map((s) => ({ ...s })), shadowAlias: change.trafficPolicy.shadowAlias ?? null, shadowPercent: change.trafficPolicy.shadowPercent } };
    case 'version_status_changed':
      return { ...common, version: change.version, status: change.status };
  }
}

function fromRow(revision: bigint, modelId: string, modelName: string, kind: ReleaseChange['kind'], payload: StoredPayload, time: Date): ReleaseEvent {
  return { revision, modelId, modelName, change: changeOf(kind, payload), actor: payload.actor, reason: payload.reason, time };
}

function changeOf(kind: ReleaseChange['kind'], payload: StoredPayload): ReleaseChange {
  switch (kind) {
    case 'alias_moved':
      return {
        kind,
        alias: payload.alias ?? '',
        version: payload.version ?? 0,
        ...(payload.previousVersion == null ? {} : { previousVersion: payload.previousVersion }),
        artifactSha256: payload.artifactSha256 ?? '',
      };
    case 'traffic_policy_changed': {
      const stored = payload.trafficPolicy ?? { splits: [], shadowPercent: 0 };
      const trafficPolicy: TrafficPolicy = {
        splits: stored.splits,
        ...(stored.shadowAlias == null ? {} : { shadowAlias: stored.shadowAlias }),
        shadowPercent: stored.shadowPercent,
      };
      return { kind, trafficPolicy };
    }
    case 'version_status_changed':
      return { kind, version: payload.version ?? 0, status: payload.status ?? 'active' };
  }
}

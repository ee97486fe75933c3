import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import { type JobCounters, type JobFilter, type JobKind, type JobRecord, type JobStatus, type NewJob, ZERO_COUNTERS } from './job';

type JobRow = Prisma.JobGetPayload<object>;

/** What the worker learns when it renews a lease: whether it still holds the job and whether cancellation was asked for. */
export interface LeaseState {
  readonly held: boolean;
  readonly cancelRequested: boolean;
}

/** A running job whose lease expired, as the expiry sweep left it. */
export interface ExpiredJob {
  readonly id: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly attempts: number;
}

/** Background jobs: creation with idempotency keys, claiming under a lease, progress and completion. The only Prisma user of the jobs domain. */
@Injectable()
export class JobRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Creates `job`, unless the kind+idempotency key already names a job or a pending/running
   * job holds the active key: then that job is returned with `created = false`.
   */
  async create(job: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const existing = await this.findExisting(job);
      if (existing !== undefined) return { job: existing, created: false };
      try {
        const row = await this.prisma.job.create({
          data: {
            kind: job.kind,
            params: job.params as Prisma.InputJsonValue,
            idempotencyKey: job.idempotencyKey ?? null,
            activeKey: job.activeKey ?? null,
            counters: { ...ZERO_COUNTERS, rowsTotal: job.rowsTotal ?? 0 },
          },
        });
        return { job: toJobRecord(row), created: true };
      } catch (error) {
        // A concurrent enqueue of the same key won: return its job on the next round.
        if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
      }
    }
    throw new Error(`could not create or find the ${job.kind} job for its keys`);
  }

  private async findExisting(job: NewJob): Promise<JobRecord | undefined> {
    if (job.idempotencyKey !== undefined) {
      const row = await this.prisma.job.findUnique({ where: { kind_idempotencyKey: { kind: job.kind, idempotencyKey: job.idempotencyKey } } });
      if (row !== null) return toJobRecord(row);
    }
    if (job.activeKey !== undefined) {
      const row = await this.prisma.job.findUnique({ where: { activeKey: job.activeKey } });
      if (row !== null) return toJobRecord(row);
    }
    return undefined;
  }

  async findById(id: string): Promise<JobRecord | undefined> {
    const row = await this.prisma.job.findUnique({ where: { id } });
    return row === null ? undefined : toJobRecord(row);
  }

  /** Jobs matching `filter`, newest first, strictly older than `beforeId`, at most `limit`. */
  async list(filter: JobFilter, beforeId: string | undefined, limit: number): Promise<JobRecord[]> {
    const where: Prisma.JobWhereInput = {
      ...(beforeId === undefined ? {} : { id: { lt: beforeId } }),
      ...(filter.kind === undefined ? {} : { kind: filter.kind }),
      ...(filter.status === undefined ? {} : { status: filter.status }),
      ...(filter.source === undefined ? {} : { params: { path: ['source'], equals: filter.source } }),
      ...(filter.featureSetName === undefined ? {} : { AND: [{ params: { path: ['featureSet', 'name'], equals: filter.featureSetName } }] }),
    };
    const rows = await this.prisma.job.findMany({ where, orderBy: { id: 'desc' }, take: limit });
    return rows.map(toJobRecord);
  }

  /** Cancels a pending job at once; returns the job as it is afterwards (undefined when unknown). */
  async cancelPending(id: string): Promise<void> {
    await this.prisma.job.updateMany({ where: { id, status: 'pending' }, data: { status: 'cancelled', finishedAt: new Date(), activeKey: null } });
  }

  /** Flags a running job for cancellation; its worker stops it. */
  async requestCancel(id: string): Promise<void> {
    await this.prisma.job.updateMany({ where: { id, status: 'running' }, data: { cancelRequested: true } });
  }

  /**
   * Claims up to `limit` pending jobs of `kinds` for `owner` (oldest first, skipping rows
   * another worker is claiming), counts the attempt and sets a lease of `leaseMs`.
   */
  async claim(owner: string, kinds: readonly JobKind[], limit: number, leaseMs: number): Promise<JobRecord[]> {
    if (limit <= 0 || kinds.length === 0) return [];
    const claimed = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = now() + ($2::int * interval '1 millisecond'),
              attempts = attempts + 1, started_at = COALESCE(started_at, now()), updated_at = now()
        WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND kind::text = ANY($3::text[])
                      ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id`,
      owner,
      Math.round(leaseMs),
      [...kinds],
      limit,
    );
    if (claimed.length === 0) return [];
    const rows = await this.prisma.job.findMany({ where: { id: { in: claimed.map((row) => row.id) } }, orderBy: { createdAt: 'asc' } });
    return rows.map(toJobRecord);
  }

  /**
   * Puts running jobs whose lease expired (their worker crashed) back to pending, or marks
   * them failed once they used `maxAttempts` runs. Returns what it did, for the log.
   */
  async requeueExpired(maxAttempts: number): Promise<ExpiredJob[]> {
    return this.prisma.$queryRawUnsafe<ExpiredJob[]>(
      `UPDATE jobs SET
              status = CASE WHEN attempts >= $1::int THEN 'failed'::job_status ELSE 'pending'::job_status END,
              error_message = CASE WHEN attempts >= $1
                THEN 'the job was interrupted ' || attempts || ' times (its worker stopped without finishing it); giving up after ' || $1::int || ' attempts'
                ELSE error_message END,
              finished_at = CASE WHEN attempts >= $1::int THEN now() ELSE NULL END,
              active_key = CASE WHEN attempts >= $1::int THEN NULL ELSE active_key END,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id, kind::text AS kind, status::text AS status, attempts`,
      maxAttempts,
    );
  }

  /** Renews the lease of a job `owner` runs. */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<LeaseState> {
    const rows = await this.prisma.$queryRawUnsafe<{ cancel_requested: boolean }[]>(
      `UPDATE jobs SET lease_expires_at = now() + ($3::int * interval '1 millisecond'), updated_at = now()
        WHERE id = $1::uuid AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested`,
      id,
      owner,
      Math.round(leaseMs),
    );
    return leaseStateOf(rows);
  }

  /** Records the resume point and counters of a job `owner` runs, renewing its lease. */
  async saveCheckpoint(id: string, owner: string, checkpoint: unknown, counters: JobCounters, leaseMs: number): Promise<LeaseState> {
    const rows = await this.prisma.$queryRawUnsafe<{ cancel_requested: boolean }[]>(
      `UPDATE jobs SET checkpoint = $3::jsonb, counters = $4::jsonb, lease_expires_at = now() + ($5::int * interval '1 millisecond'), updated_at = now()
        WHERE id = $1::uuid AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested`,
      id,
      owner,
      JSON.stringify(checkpoint ?? null),
      JSON.stringify(counters),
      Math.round(leaseMs),
    );
    return leaseStateOf(rows);
  }

  /** Ends a job `owner` runs with a terminal status; releases its active key. False when the lease was lost meanwhile. */
  async finish(id: string, owner: string, status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled'>, counters: JobCounters, errorMessage: string): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id, leaseOwner: owner, status: 'running' },
      data: { status, counters: { ...counters }, errorMessage, finishedAt: new Date(), activeKey: null, leaseOwner: null, leaseExpiresAt: null },
    });
    return count === 1;
  }

  /** Hands a job back unfinished (this worker shuts down): pending again, the run not counted as an attempt. */
  async release(id: string, owner: string, counters: JobCounters): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, attempts = GREATEST(attempts - 1, 0), counters = $3::jsonb, updated_at = now()
        WHERE id = $1::uuid AND lease_owner = $2 AND status = 'running'`,
      id,
      owner,
      JSON.stringify(counters),
    );
  }
}

function leaseStateOf(rows: readonly { cancel_requested: boolean }[]): LeaseState {
  const [row] = rows;
  return row === undefined ? { held: false, cancelRequested: false } : { held: true, cancelRequested: row.cancel_requested };
}

/** Counters from their JSON column; missing members are zero. */
export function countersOf(json: unknown): JobCounters {
  const value = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const read = (key: keyof JobCounters): number => (typeof value[key] === 'number' ? (value[key] as number) : Number(value[key] ?? 0) || 0);
  return { rowsRead: read('rowsRead'), rowsAccepted: read('rowsAccepted'), rowsRejected: read('rowsRejected'), valuesWritten: read('valuesWritten'), rowsTotal: read('rowsTotal') };
}

function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    params: (row.params ?? {}) as Record<string, unknown>,
    counters: countersOf(row.counters),
    ...(row.checkpoint === null ? {} : { checkpoint: row.checkpoint }),
    errorMessage: row.errorMessage,
    attempts: row.attempts,
    createdAt: row.createdAt,
    ...(row.startedAt === null ? {} : { startedAt: row.startedAt }),
    ...(row.finishedAt === null ? {} : { finishedAt: row.finishedAt }),
  };
}

/** Whether `error` says a key is taken (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import type { JobError, JobEvent, JobEventPayload, JobFilter, JobResults, JobSpecRecord, StoredJobStatus, TrainerName, TrainingJobRecord } from './training-job';

type JobRow = Prisma.TrainingJobGetPayload<object>;

/** A job to create. */
export interface NewTrainingJob {
  readonly idempotencyKey?: string;
  readonly specDigest: string;
  readonly modelName: string;
  readonly trainer: TrainerName;
  readonly spec: JobSpecRecord;
}

/** What a worker learns when it renews its lease. */
export interface LeaseState {
  readonly held: boolean;
  readonly cancelRequested: boolean;
}

/** What a running job records as it goes (all optional; results are merged). */
export interface JobProgressPatch {
  readonly datasetSnapshotId?: string;
  readonly datasetDigest?: string;
  readonly artifactSha256?: string;
  readonly artifactSize?: number;
  readonly registeredVersion?: number;
  readonly results?: JobResults;
}

/** A job the expiry sweep touched. */
export interface ExpiredJob {
  readonly id: string;
  readonly status: StoredJobStatus;
  readonly attempts: number;
}

/** Training jobs, their events and artifacts: the only Prisma user of the jobs domain. */
@Injectable()
export class TrainingJobRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Creates a queued job; on an idempotency-key race returns the job that won (`created = false`). */
  async create(job: NewTrainingJob): Promise<{ job: TrainingJobRecord; created: boolean }> {
    try {
      const row = await this.prisma.trainingJob.create({
        data: {
          idempotencyKey: job.idempotencyKey ?? null,
          specDigest: job.specDigest,
          modelName: job.modelName,
          trainer: job.trainer,
          spec: job.spec as unknown as Prisma.InputJsonValue,
        },
      });
      return { job: toRecord(row), created: true };
    } catch (error) {
      if (job.idempotencyKey === undefined || !(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
      const existing = await this.findByIdempotencyKey(job.idempotencyKey);
      if (existing === undefined) throw error;
      return { job: existing, created: false };
    }
  }

  async findByIdempotencyKey(key: string): Promise<(TrainingJobRecord & { specDigest: string }) | undefined> {
    const row = await this.prisma.trainingJob.findUnique({ where: { idempotencyKey: key } });
    return row === null ? undefined : { ...toRecord(row), specDigest: row.specDigest };
  }

  async findById(id: string): Promise<TrainingJobRecord | undefined> {
    const row = await this.prisma.trainingJob.findUnique({ where: { id } });
    return row === null ? undefined : toRecord(row);
  }

  async countQueued(): Promise<number> {
    return this.prisma.trainingJob.count({ where: { status: 'queued' } });
  }

  /** Jobs matching `filter`, newest first, strictly older than `beforeId`, at most `limit`. */
  async list(filter: JobFilter, beforeId: string | undefined, limit: number): Promise<TrainingJobRecord[]> {
    const where: Prisma.TrainingJobWhereInput = {
      ...(beforeId === undefined ? {} : { id: { lt: beforeId } }),
      ...(filter.modelName === undefined ? {} : { modelName: filter.modelName }),
      ...statusWhere(filter.status),
    };
    const rows = await this.prisma.trainingJob.findMany({ where, orderBy: { id: 'desc' }, take: limit });
    return rows.map(toRecord);
  }

  /** Cancels a queued job at once. False when it was no longer queued. */
  async cancelQueued(id: string, reason: string): Promise<boolean> {
    const { count } = await this.prisma.trainingJob.updateMany({
      where: { id, status: 'queued' },
      data: { status: 'cancelled', cancelRequestedAt: new Date(), cancelReason: reason, finishedAt: new Date() },
    });
    return count === 1;
  }

  /** Flags a running job for cancellation (its worker stops it). False when it was not running. */
  async requestCancel(id: string, reason: string): Promise<boolean> {
    const { count } = await this.prisma.trainingJob.updateMany({
      where: { id, status: 'running', cancelRequestedAt: null },
      data: { cancelRequestedAt: new Date(), cancelReason: reason },
    });
    return count === 1;
  }

  /** Claims up to `limit` queued jobs (oldest first, skipping rows others are claiming), counting the attempt. */
  async claim(owner: string, limit: number, leaseMs: number, onlyId?: string): Promise<TrainingJobRecord[]> {
    if (limit <= 0) return [];
    const claimed = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE training_jobs SET status = 'running', lease_owner = $1, lease_expires_at = now() + ($2::int * interval '1 millisecond'),
              attempts = attempts + 1, started_at = now(), updated_at = now()
        WHERE id IN (SELECT id FROM training_jobs WHERE status = 'queued' AND ($4::uuid IS NULL OR id = $4::uuid)
                      ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id`,
      owner,
      Math.round(leaseMs),
      limit,
      onlyId ?? null,
    );
    if (claimed.length === 0) return [];
    const rows = await this.prisma.trainingJob.findMany({ where: { id: { in: claimed.map((row) => row.id) } }, orderBy: { createdAt: 'asc' } });
    return rows.map(toRecord);
  }

  /**
   * Re-queues running jobs whose lease expired (their worker died), or fails them once they
   * lost `maxInterruptions` attempts that way. A job asked to cancel is cancelled instead.
   */
  async requeueExpired(maxInterruptions: number): Promise<ExpiredJob[]> {
    return this.prisma.$queryRawUnsafe<ExpiredJob[]>(
      `UPDATE training_jobs SET
              status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'::training_job_status
                            WHEN attempts >= $1::int THEN 'failed'::training_job_status
                            ELSE 'queued'::training_job_status END,
              error_code = CASE WHEN cancel_requested_at IS NULL AND attempts >= $1::int THEN 'INTERNAL' ELSE error_code END,
              error = CASE WHEN cancel_requested_at IS NULL AND attempts >= $1::int
                THEN 'the job was interrupted ' || attempts || ' times (its worker stopped without finishing it); giving up'
                ELSE error END,
              error_retryable = CASE WHEN cancel_requested_at IS NULL AND attempts >= $1::int THEN true ELSE error_retryable END,
              finished_at = CASE WHEN cancel_requested_at IS NOT NULL OR attempts >= $1::int THEN now() ELSE NULL END,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id IN (SELECT id FROM training_jobs WHERE status = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id, status::text AS status, attempts`,
      maxInterruptions,
    );
  }

  /** Renews the lease of a job `owner` runs. */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<LeaseState> {
    const rows = await this.prisma.$queryRawUnsafe<{ cancel_requested: boolean }[]>(
      `UPDATE training_jobs SET lease_expires_at = now() + ($3::int * interval '1 millisecond'), updated_at = now()
        WHERE id = $1::uuid AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested_at IS NOT NULL AS cancel_requested`,
      id,
      owner,
      Math.round(leaseMs),
    );
    const [row] = rows;
    return row === undefined ? { held: false, cancelRequested: false } : { held: true, cancelRequested: row.cancel_requested };
  }

  /** Records what a running job produced so far (results are merged into the stored ones). */
  async saveProgress(id: string, owner: string, patch: JobProgressPatch): Promise<boolean> {
    return this.update(id, owner, patch, {});
  }

  /** Ends a job `owner` runs. False when its lease was lost meanwhile. */
  async finish(id: string, owner: string, status: 'succeeded' | 'failed' | 'cancelled', patch: JobProgressPatch, error?: JobError): Promise<boolean> {
    const ending: Prisma.TrainingJobUpdateManyMutationInput = {
      status,
      finishedAt: new Date(),
      leaseOwner: null,
      leaseExpiresAt: null,
      ...(error === undefined ? {} : { error: error.message, errorCode: error.code, errorRetryable: error.retryable }),
    };
    return this.update(id, owner, patch, ending);
  }

  /** Puts a job back in the queue after a retryable failure, keeping what it built (the snapshot). */
  async requeue(id: string, owner: string, error: JobError): Promise<boolean> {
    return this.update(id, owner, {}, { status: 'queued', leaseOwner: null, leaseExpiresAt: null, error: error.message, errorCode: error.code, errorRetryable: true });
  }

  /** Hands a job back unfinished (this worker shuts down): queued again, the run not counted as an attempt. */
  async release(id: string, owner: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE training_jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = GREATEST(attempts - 1, 0), updated_at = now()
        WHERE id = $1::uuid AND lease_owner = $2 AND status = 'running'`,
      id,
      owner,
    );
  }

  private async update(id: string, owner: string, patch: JobProgressPatch, extra: Prisma.TrainingJobUpdateManyMutationInput): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.trainingJob.findFirst({ where: { id, leaseOwner: owner, status: 'running' }, select: { results: true } });
      if (row === null) return false;
      const results = patch.results === undefined ? undefined : ({ ...resultsOf(row.results), ...patch.results } as Prisma.InputJsonValue);
      await tx.trainingJob.updateMany({
        where: { id },
        data: {
          ...extra,
          ...(patch.datasetSnapshotId === undefined ? {} : { datasetSnapshotId: patch.datasetSnapshotId }),
          ...(patch.datasetDigest === undefined ? {} : { datasetDigest: patch.datasetDigest }),
          ...(patch.artifactSha256 === undefined ? {} : { artifactDigest: patch.artifactSha256 }),
          ...(patch.artifactSize === undefined ? {} : { artifactSize: BigInt(patch.artifactSize) }),
          ...(patch.registeredVersion === undefined ? {} : { registeredVersion: patch.registeredVersion }),
          ...(results === undefined ? {} : { results, metrics: (patch.results?.metrics ?? undefined) as Prisma.InputJsonValue | undefined }),
        },
      });
      return true;
    });
  }

  /** Keeps the exported ONNX file of a job (replacing an earlier attempt's). */
  async saveArtifact(jobId: string, sha256: string, content: Uint8Array): Promise<void> {
    const bytes = new Uint8Array(content);
    await this.prisma.jobArtifact.upsert({ where: { jobId }, create: { jobId, sha256, content: bytes }, update: { sha256, content: bytes } });
  }

  async artifactOf(jobId: string): Promise<{ sha256: string; content: Uint8Array } | undefined> {
    const row = await this.prisma.jobArtifact.findUnique({ where: { jobId } });
    return row === null ? undefined : { sha256: row.sha256, content: row.content };
  }

  /** Appends events in order, numbered with the job's next sequence numbers, in one statement. */
  async appendEvents(jobId: string, payloads: readonly JobEventPayload[]): Promise<JobEvent[]> {
    if (payloads.length === 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<{ seq: number; created_at: Date }[]>(
      `WITH next AS (UPDATE training_jobs SET event_seq = event_seq + $2::int WHERE id = $1::uuid RETURNING event_seq - $2::int AS before)
       INSERT INTO job_events (job_id, seq, kind, payload)
       SELECT $1::uuid, next.before + e.ord::int, (e.value->>'kind')::job_event_kind, e.value
         FROM next, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(value, ord)
       RETURNING seq, created_at`,
      jobId,
      payloads.length,
      JSON.stringify(payloads),
    );
    if (rows.length !== payloads.length) throw new Error(`job ${jobId} does not exist`);
    const sorted = [...rows].sort((a, b) => a.seq - b.seq);
    return sorted.map((row, index) => ({ sequence: row.seq, time: row.created_at, payload: payloads[index] as JobEventPayload }));
  }

  /** Events of a job after `afterSequence`, oldest first. */
  async eventsAfter(jobId: string, afterSequence: number, limit = 1000): Promise<JobEvent[]> {
    const rows = await this.prisma.jobEvent.findMany({ where: { jobId, seq: { gt: afterSequence } }, orderBy: { seq: 'asc' }, take: limit });
    return rows.map((row) => ({ sequence: row.seq, time: row.createdAt, payload: row.payload as unknown as JobEventPayload }));
  }

  /** The latest event sequence number of a job (0 when none). */
  async lastSequence(jobId: string): Promise<number> {
    const row = await this.prisma.trainingJob.findUnique({ where: { id: jobId }, select: { eventSeq: true } });
    return row?.eventSeq ?? 0;
  }
}

function statusWhere(status: JobFilter['status']): Prisma.TrainingJobWhereInput {
  switch (status) {
    case undefined:
      return {};
    case 'cancelling':
      return { status: 'running', cancelRequestedAt: { not: null } };
    case 'running':
      return { status: 'running', cancelRequestedAt: null };
    default:
      return { status };
  }
}

function resultsOf(json: unknown): JobResults {
  return typeof json === 'object' && json !== null ? (json as JobResults) : {};
}

function toRecord(row: JobRow): TrainingJobRecord {
  const status = row.status === 'running' && row.cancelRequestedAt !== null ? 'cancelling' : row.status;
  return {
    id: row.id,
    ...(row.idempotencyKey === null ? {} : { idempotencyKey: row.idempotencyKey }),
    modelName: row.modelName,
    trainer: row.trainer as TrainerName,
    spec: row.spec as unknown as JobSpecRecord,
    status,
    attempts: row.attempts,
    createdAt: row.createdAt,
    ...(row.startedAt === null ? {} : { startedAt: row.startedAt }),
    ...(row.finishedAt === null ? {} : { finishedAt: row.finishedAt }),
    ...(row.datasetSnapshotId === null ? {} : { datasetSnapshotId: row.datasetSnapshotId }),
    ...(row.datasetDigest === null ? {} : { datasetDigest: row.datasetDigest }),
    ...(row.artifactDigest === null ? {} : { artifactSha256: row.artifactDigest }),
    ...(row.artifactSize === null ? {} : { artifactSize: Number(row.artifactSize) }),
    ...(row.registeredVersion === null ? {} : { registeredVersion: row.registeredVersion }),
    results: resultsOf(row.results),
    ...(row.errorCode === null || row.status === 'queued' || row.status === 'running' ? {} : { error: { code: row.errorCode, message: row.error ?? '', retryable: row.errorRetryable } }),
  };
}

import { Injectable } from '@nestjs/common';
import { FailedPreconditionError, NotFoundError, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import type { JobFilter, JobHandler, JobKind, JobRecord, NewJob } from './job';
import { JobRepository } from './job.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const byId = new PageTokens<string>((value): value is string => typeof value === 'string' && UUID.test(value));

/** Listeners the worker attaches to hear of new jobs and cancellations in this process at once. */
export interface JobQueueListener {
  /** A job was enqueued. */
  jobEnqueued(): void;
  /** Cancellation of a running job was requested. */
  cancelRequested(jobId: string): void;
}

/**
 * The feature service's background job queue: other domains enqueue imports,
 * materializations and replays here and register the handler that runs each kind; the
 * {@link JobWorker} claims and runs them.
 */
@Injectable()
export class JobQueue {
  private readonly handlers = new Map<JobKind, JobHandler>();
  private listener: JobQueueListener | undefined;

  constructor(private readonly jobs: JobRepository) {}

  /** Registers the handler of a job kind (one per kind; call it from a module's constructor or onModuleInit). */
  register(handler: JobHandler): void {
    if (this.handlers.has(handler.kind)) throw new Error(`a handler for ${handler.kind} jobs is already registered`);
    this.handlers.set(handler.kind, handler);
    this.listener?.jobEnqueued();
  }

  /** Removes the handler of `kind` (module teardown; tests that run a controlled handler). */
  unregister(kind: JobKind): JobHandler | undefined {
    const handler = this.handlers.get(kind);
    this.handlers.delete(kind);
    return handler;
  }

  /** The handler of `kind`, if one is registered. */
  handlerOf(kind: JobKind): JobHandler | undefined {
    return this.handlers.get(kind);
  }

  /** Kinds this process can run. */
  registeredKinds(): JobKind[] {
    return [...this.handlers.keys()];
  }

  /** Attaches the worker (one per process). */
  listen(listener: JobQueueListener): void {
    this.listener = listener;
  }

  /**
   * Creates a pending job, or returns the existing one: the first job of the same kind and
   * idempotency key, or the pending/running job holding the same active key.
   */
  async enqueue(job: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    const result = await this.jobs.create(job);
    if (result.created) this.listener?.jobEnqueued();
    return result;
  }

  /** One job; NOT_FOUND when unknown. */
  async get(id: string): Promise<JobRecord> {
    const job = UUID.test(id) ? await this.jobs.findById(id) : undefined;
    if (job === undefined) throw new NotFoundError(`job ${id} not found`);
    return job;
  }

  /** Jobs matching `filter`, newest first. */
  async list(filter: JobFilter, page: PageRequest): Promise<Page<JobRecord>> {
    const pageSize = pageSizeOf(page);
    const before = byId.decode(page.pageToken, filter);
    const rows = await this.jobs.list(filter, before, pageSize + 1);
    return pageOf(rows, pageSize, (job) => job.id, byId, filter);
  }

  /**
   * Cancels a job: a pending job is CANCELLED at once; a running one is flagged and its
   * worker stops it (it stays RUNNING until then). Idempotent for a CANCELLED job;
   * FAILED_PRECONDITION for a job that already SUCCEEDED or FAILED.
   */
  async cancel(id: string): Promise<JobRecord> {
    const job = await this.get(id);
    if (job.status === 'succeeded' || job.status === 'failed') {
      throw new FailedPreconditionError(`job ${id} already ${job.status}; only pending or running jobs can be cancelled`, [
        { type: 'JOB_STATUS', subject: `jobs/${id}`, description: `the job is ${job.status.toUpperCase()}` },
      ]);
    }
    if (job.status === 'pending') await this.jobs.cancelPending(id);
    // Re-read: a pending job may have been claimed meanwhile, then it is cancelled as a running one.
    const current = await this.get(id);
    if (current.status === 'running') {
      await this.jobs.requestCancel(id);
      this.listener?.cancelRequested(id);
    }
    return current;
  }
}

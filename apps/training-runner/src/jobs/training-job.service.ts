import { Inject, Injectable } from '@nestjs/common';
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens, ResourceExhaustedError, UnavailableError } from '@strata/service-runtime';
import { createHash } from 'node:crypto';
import { TRAINING_CONFIG, type TrainingConfig } from '../config/training.config';
import { FeatureStore, FeatureStoreError } from '../dataset/feature-store';
import { JobEvents } from './job-events';
import { type JobEvent, type JobFilter, type JobSpecRecord, TERMINAL_STATUSES, type TrainingJobRecord, type TrainingPlan } from './training-job';
import { TrainingJobRepository } from './training-job.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const byId = new PageTokens<string>((value): value is string => typeof value === 'string' && UUID.test(value));
/** How often a watcher looks for events written by other processes. */
const WATCH_POLL_MS = 250;
/** Events read per query (JobEvents.eventsAfter's page size). */
const EVENT_PAGE = 1000;

/** Listener the worker attaches to hear of new jobs and cancellations in this process at once. */
export interface JobQueueListener {
  jobSubmitted(): void;
  cancelRequested(jobId: string): void;
}

/** A validated submission. */
export interface Submission {
  /** The wire spec, recorded verbatim. */
  readonly request: unknown;
  readonly plan: TrainingPlan;
  readonly idempotencyKey?: string;
}

/** The rules of training jobs: submission (idempotent), reads, cancellation and watching. */
@Injectable()
export class TrainingJobService {
  private listener: JobQueueListener | undefined;

  constructor(
    private readonly jobs: TrainingJobRepository,
    private readonly events: JobEvents,
    private readonly features: FeatureStore,
    @Inject(TRAINING_CONFIG) private readonly config: Pick<TrainingConfig, 'maxQueuedJobs'>,
  ) {}

  /** Attaches the worker (one per process). */
  listen(listener: JobQueueListener): void {
    this.listener = listener;
  }

  /**
   * Queues a job. The same idempotency key with the same spec returns the existing job;
   * with another spec it is ALREADY_EXISTS. Feature sets and the label source must exist.
   */
  async submit(submission: Submission): Promise<{ job: TrainingJobRecord; created: boolean }> {
    const { idempotencyKey, plan } = submission;
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 128)) {
      throw new InvalidArgumentError('idempotency_key must be 1-128 characters', [{ field: 'idempotency_key', description: `${idempotencyKey.length} characters` }]);
    }
    const specDigest = createHash('sha256').update(canonicalJson(submission.request)).digest('hex');
    if (idempotencyKey !== undefined) {
      const existing = await this.jobs.findByIdempotencyKey(idempotencyKey);
      if (existing !== undefined) return { job: this.sameSpecOrConflict(existing, specDigest, idempotencyKey), created: false };
    }
    await this.checkReferences(plan);
    if ((await this.jobs.countQueued()) >= this.config.maxQueuedJobs) {
      throw new ResourceExhaustedError(`the training queue is full (${this.config.maxQueuedJobs} queued jobs); retry later`);
    }
    const spec: JobSpecRecord = { request: submission.request, plan };
    const result = await this.jobs.create({ ...(idempotencyKey === undefined ? {} : { idempotencyKey }), specDigest, modelName: plan.modelName, trainer: plan.trainer, spec });
    if (!result.created) {
      const raced = await this.jobs.findByIdempotencyKey(idempotencyKey as string);
      return { job: this.sameSpecOrConflict(raced ?? { ...result.job, specDigest }, specDigest, idempotencyKey as string), created: false };
    }
    await this.events.statusChanged(result.job.id, undefined);
    this.listener?.jobSubmitted();
    return result;
  }

  async get(id: string): Promise<TrainingJobRecord> {
    const job = UUID.test(id) ? await this.jobs.findById(id) : undefined;
    if (job === undefined) throw new NotFoundError(`training job ${id} not found`);
    return job;
  }

  async list(filter: JobFilter, page: PageRequest): Promise<Page<TrainingJobRecord>> {
    const pageSize = pageSizeOf(page);
    const before = byId.decode(page.pageToken, filter);
    const rows = await this.jobs.list(filter, before, pageSize + 1);
    return pageOf(rows, pageSize, (job) => job.id, byId, filter);
  }

  /**
   * Cancels a job: a queued job at once; a running one moves to CANCELLING and its worker stops
   * it at the next iteration. Idempotent for CANCELLING/CANCELLED; FAILED_PRECONDITION when it
   * already SUCCEEDED or FAILED.
   */
  async cancel(id: string, reason: string): Promise<TrainingJobRecord> {
    const job = await this.get(id);
    if (job.status === 'succeeded' || job.status === 'failed') {
      throw new FailedPreconditionError(`training job ${id} already ${job.status}; only queued or running jobs can be cancelled`, [
        { type: 'JOB_STATUS', subject: `jobs/${id}`, description: `the job is ${job.status.toUpperCase()}` },
      ]);
    }
    const why = reason === '' ? 'cancelled by request' : reason;
    if (job.status === 'queued' && (await this.jobs.cancelQueued(id, why))) {
      await this.events.statusChanged(id, 'queued');
    } else if (await this.jobs.requestCancel(id, why)) {
      await this.events.statusChanged(id, 'running');
      this.listener?.cancelRequested(id);
    }
    return this.get(id);
  }

  /**
   * The events of a job for WatchJob: first its current status, then retained events after
   * `afterSequence` (replayed), then live ones until the job is terminal.
   */
  async *watch(id: string, afterSequence: number, includeLogs: boolean, signal: AbortSignal): AsyncGenerator<JobEvent> {
    const job = await this.get(id);
    let wake: (() => void) | undefined;
    const unsubscribe = this.events.subscribe(id, () => wake?.());
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      let cursor = afterSequence > 0 ? afterSequence : await this.events.lastSequence(id);
      yield { sequence: cursor, time: new Date(), payload: { kind: 'status', status: job.status, job } };
      if (TERMINAL_STATUSES.includes(job.status)) {
        // A finished job: replay what is retained after the cursor, then end.
        if (afterSequence <= 0) return;
        for (let page = await this.events.eventsAfter(id, cursor); page.length > 0; page = await this.events.eventsAfter(id, cursor)) {
          for (const event of page) {
            cursor = event.sequence;
            if (event.payload.kind !== 'log' || includeLogs) yield event;
          }
        }
        return;
      }
      while (!signal.aborted) {
        const waiting = new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, WATCH_POLL_MS);
        });
        let terminal = false;
        const page = await this.events.eventsAfter(id, cursor);
        for (const event of page) {
          cursor = event.sequence;
          if (event.payload.kind === 'status' && TERMINAL_STATUSES.includes(event.payload.status)) terminal = true;
          if (event.payload.kind === 'log' && !includeLogs) continue;
          yield event;
        }
        if (terminal) return;
        // A full page means more are waiting: read on without pausing.
        if (page.length < EVENT_PAGE) await waiting;
      }
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private sameSpecOrConflict(existing: TrainingJobRecord & { specDigest: string }, specDigest: string, key: string): TrainingJobRecord {
    if (existing.specDigest !== specDigest) {
      throw new AlreadyExistsError(`idempotency_key "${key}" was used for job ${existing.id} with a different spec`);
    }
    const { specDigest: _digest, ...job } = existing;
    return job;
  }

  private async checkReferences(plan: TrainingPlan): Promise<void> {
    let missing;
    try {
      missing = await this.features.findMissing(plan.dataset.featureSets, [plan.dataset.label.source]);
    } catch (error) {
      if (error instanceof FeatureStoreError) throw new UnavailableError(`cannot check the job's feature sets: ${error.message}`);
      throw error;
    }
    const names = [...missing.featureSets.map((ref) => `feature set ${ref.name} version ${ref.version}`), ...missing.sources.map((source) => `source ${source}`)];
    if (names.length > 0) throw new NotFoundError(`${names.join(', ')} not found at the feature service`);
  }
}

/** JSON with object keys sorted, so equal specs hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, SHUTDOWN_SIGNAL, WakeableSleep } from '@strata/service-runtime';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { FEATURE_CONFIG, type FeatureConfig } from '../config/feature.config';
import type { JobContext, JobCounters, JobRecord } from './job';
import { JobQueue, type JobQueueListener } from './job-queue';
import { JobRepository } from './job.repository';

/** How often the worker looks for jobs enqueued by other replicas. */
const POLL_MS = 500;

/** Why a running job's signal was aborted. */
type StopReason = 'cancelled' | 'shutdown' | 'lease-lost';

/** Timing and tuning of a {@link JobWorker}; production values come from FEATURE_CONFIG. */
export interface JobWorkerSettings {
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly pollMs: number;
}

interface RunningJob {
  readonly controller: AbortController;
  stopReason?: StopReason;
  counters: JobCounters;
}

/**
 * Runs the queued jobs of this process: claims pending jobs (FOR UPDATE SKIP LOCKED, so
 * replicas share the queue), holds a lease renewed by checkpoints and a heartbeat, runs
 * up to `concurrency` at once, and re-queues jobs whose worker crashed (lease expired),
 * failing them after `maxAttempts` runs. Started on application bootstrap, stopped when
 * the service drains: running jobs are aborted and handed back to resume from their
 * last checkpoint.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnModuleDestroy, JobQueueListener {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly settings: JobWorkerSettings;
  private readonly running = new Map<string, RunningJob>();
  private readonly runs = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private stopped = false;
  private readonly pause = new WakeableSleep();
  private lastSweep = 0;

  constructor(
    private readonly queue: JobQueue,
    private readonly jobs: JobRepository,
    @Inject(FEATURE_CONFIG) config: FeatureConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SHUTDOWN_SIGNAL) private readonly shutdown: AbortSignal,
  ) {
    this.settings = { concurrency: config.jobConcurrency, leaseMs: config.jobLease, maxAttempts: config.jobMaxAttempts, pollMs: POLL_MS };
    queue.listen(this);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts the claim loop (idempotent). */
  start(): void {
    if (this.loop !== undefined || this.stopped) return;
    this.shutdown.addEventListener('abort', () => this.abortAll('shutdown'), { once: true });
    this.loop = this.runLoop().catch((error: unknown) => this.logger.error({ err: error }, 'job worker loop stopped on an error'));
  }

  /** Stops claiming, aborts running jobs and waits until each has been handed back or finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abortAll('shutdown');
    this.notify();
    await this.loop;
    await Promise.all([...this.runs]);
  }

  jobEnqueued(): void {
    this.notify();
  }

  cancelRequested(jobId: string): void {
    this.abortJob(jobId, 'cancelled');
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.sweepExpired();
        const free = this.settings.concurrency - this.running.size;
        const kinds = this.queue.registeredKinds();
        if (free > 0 && kinds.length > 0) {
          const claimed = await this.jobs.claim(this.owner, kinds, free, this.settings.leaseMs);
          for (const job of claimed) this.startJob(job);
          if (claimed.length === free) continue; // there may be more waiting
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.error({ err: error }, `job worker could not claim jobs: ${String(error)}`);
      }
      if (!this.stopped) await this.pause.sleep(this.settings.pollMs);
    }
  }

  private async sweepExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < Math.min(this.settings.pollMs * 4, this.settings.leaseMs / 2)) return;
    this.lastSweep = now;
    for (const job of await this.jobs.requeueExpired(this.settings.maxAttempts)) {
      if (job.status === 'failed') this.logger.error({ jobId: job.id, kind: job.kind, attempts: job.attempts }, `${job.kind} job ${job.id} failed: interrupted ${job.attempts} times, giving up`);
      else this.logger.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts }, `${job.kind} job ${job.id} lost its worker (lease expired); re-queued to resume from its checkpoint`);
    }
  }

  private startJob(job: JobRecord): void {
    const state: RunningJob = { controller: new AbortController(), counters: { ...job.counters } };
    this.running.set(job.id, state);
    if (this.shutdown.aborted || this.stopped) this.abortJob(job.id, 'shutdown');
    const run = this.runJob(job, state)
      .catch((error: unknown) => this.logger.error({ err: error, jobId: job.id }, `job ${job.id} could not be recorded: ${String(error)}`))
      .finally(() => {
        this.running.delete(job.id);
        this.runs.delete(run);
        this.notify();
      });
    this.runs.add(run);
  }

  private async runJob(job: JobRecord, state: RunningJob): Promise<void> {
    const handler = this.queue.handlerOf(job.kind);
    const logger = this.logger.child({ jobId: job.id, kind: job.kind });
    const started = Date.now();
    const resumed = job.checkpoint !== undefined && job.checkpoint !== null;
    logger.info({ attempt: job.attempts, resumed }, `${job.kind} job ${job.id} started${resumed ? ' (resumed from its checkpoint)' : ''} attempt=${job.attempts}`);
    const heartbeat = setInterval(() => void this.heartbeat(job.id), Math.max(50, Math.floor(this.settings.leaseMs / 3)));
    let outcome: { status: 'succeeded' } | { status: 'failed'; message: string };
    try {
      if (handler === undefined) throw new Error(`no handler is registered for ${job.kind} jobs`);
      const context: JobContext = {
        job,
        signal: state.controller.signal,
        logger,
        checkpoint: async (checkpoint, counters) => {
          state.counters = { ...state.counters, ...counters };
          const lease = await this.jobs.saveCheckpoint(job.id, this.owner, checkpoint, state.counters, this.settings.leaseMs);
          this.applyLeaseState(job.id, lease.held, lease.cancelRequested);
        },
      };
      const counters = await handler.run(context);
      state.counters = { ...state.counters, ...counters };
      outcome = { status: 'succeeded' };
    } catch (error) {
      outcome = { status: 'failed', message: error instanceof Error ? error.message : String(error) };
    } finally {
      clearInterval(heartbeat);
    }
    const durationMs = Date.now() - started;
    const summary = { durationMs, counters: state.counters };
    switch (state.stopReason) {
      case 'shutdown':
        await this.jobs.release(job.id, this.owner, state.counters);
        logger.info(summary, `${job.kind} job ${job.id} interrupted by shutdown after ${durationMs} ms; handed back to resume from its checkpoint`);
        return;
      case 'lease-lost':
        logger.warn(summary, `${job.kind} job ${job.id} stopped: its lease was taken over by another worker`);
        return;
      case 'cancelled':
        await this.jobs.finish(job.id, this.owner, 'cancelled', state.counters, '');
        logger.info(summary, `${job.kind} job ${job.id} cancelled after ${durationMs} ms ${countersText(state.counters)}`);
        return;
      default:
        break;
    }
    if (outcome.status === 'succeeded') {
      await this.jobs.finish(job.id, this.owner, 'succeeded', state.counters, '');
      logger.info(summary, `${job.kind} job ${job.id} succeeded in ${durationMs} ms ${countersText(state.counters)}`);
    } else {
      await this.jobs.finish(job.id, this.owner, 'failed', state.counters, outcome.message);
      logger.error(summary, `${job.kind} job ${job.id} failed after ${durationMs} ms: ${outcome.message}`);
    }
  }

  private async heartbeat(jobId: string): Promise<void> {
    if (!this.running.has(jobId)) return;
    try {
      const lease = await this.jobs.renewLease(jobId, this.owner, this.settings.leaseMs);
      this.applyLeaseState(jobId, lease.held, lease.cancelRequested);
    } catch (error) {
      this.logger.warn({ err: error, jobId }, `could not renew the lease of job ${jobId}: ${String(error)}`);
    }
  }

  private applyLeaseState(jobId: string, held: boolean, cancelRequested: boolean): void {
    if (!held) this.abortJob(jobId, 'lease-lost');
    else if (cancelRequested) this.abortJob(jobId, 'cancelled');
  }

  private abortJob(jobId: string, reason: StopReason): void {
    const state = this.running.get(jobId);
    if (state === undefined || state.stopReason !== undefined) return;
    state.stopReason = reason;
    state.controller.abort(new Error(`job ${reason}`));
  }

  private abortAll(reason: StopReason): void {
    for (const jobId of this.running.keys()) this.abortJob(jobId, reason);
  }

  private notify(): void {
    this.pause.wake();
  }
}

function countersText(counters: JobCounters): string {
  return `read=${counters.rowsRead} accepted=${counters.rowsAccepted} rejected=${counters.rowsRejected} values_written=${counters.valuesWritten}`;
}

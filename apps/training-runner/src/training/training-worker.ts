import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, SHUTDOWN_SIGNAL, WakeableSleep } from '@strata/service-runtime';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { TRAINING_CONFIG, type TrainingConfig } from '../config/training.config';
import { JobEvents } from '../jobs/job-events';
import { type JobError, type JobStatus, type LogLevel, TERMINAL_STATUSES, type TrainingJobRecord } from '../jobs/training-job';
import { TrainingJobRepository } from '../jobs/training-job.repository';
import { type JobQueueListener, TrainingJobService } from '../jobs/training-job.service';
import { JobFailure } from './job-failure';
import { KubernetesLauncher } from './kubernetes-launcher';
import { type JobRunContext, RunTrainingJob } from './run-training-job.use-case';

/** How often the worker looks for jobs submitted to other replicas. */
const POLL_MS = 500;

type StopReason = 'cancelled' | 'shutdown' | 'lease-lost' | 'timeout';

interface RunningJob {
  readonly controller: AbortController;
  stopReason?: StopReason;
}

/**
 * Runs queued training jobs in this process: claims them (FOR UPDATE SKIP LOCKED, so replicas
 * share the queue) up to TRAINING_CONCURRENCY at once, holds a lease renewed by a heartbeat,
 * re-queues jobs whose worker died (expired lease) up to JOB_MAX_INTERRUPTIONS, retries
 * retryable failures up to the job's max_attempts, enforces the job timeout and stops jobs on
 * cancellation. On shutdown running jobs are handed back to the queue.
 */
@Injectable()
export class TrainingWorker implements OnApplicationBootstrap, OnModuleDestroy, JobQueueListener {
  private readonly owner: string;
  private readonly running = new Map<string, RunningJob>();
  private readonly runs = new Set<Promise<void>>();
  private readonly codeVersion: string;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private readonly pause = new WakeableSleep();
  private lastSweep = 0;
  /** Set in single-job mode: only this job is claimed. */
  private onlyJobId: string | undefined;

  constructor(
    private readonly service: TrainingJobService,
    private readonly jobs: TrainingJobRepository,
    private readonly events: JobEvents,
    private readonly runJob: RunTrainingJob,
    private readonly kubernetes: KubernetesLauncher,
    @Inject(TRAINING_CONFIG) private readonly config: TrainingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SHUTDOWN_SIGNAL) private readonly shutdown: AbortSignal,
  ) {
    this.codeVersion = config.codeVersion ?? gitCommit() ?? '';
    // A training pod records progress under the lease of the runner that claimed the job.
    this.owner = config.jobLeaseOwner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    service.listen(this);
  }

  onApplicationBootstrap(): void {
    if (this.config.runJobId === undefined) this.start();
    else void this.runSingleJob(this.config.runJobId);
  }

  /**
   * Single-job mode (a training pod started by the kubernetes executor): runs one job the
   * parent runner has claimed, under its lease, then shuts the process down.
   */
  private async runSingleJob(jobId: string): Promise<void> {
    const job = await this.jobs.findById(jobId);
    if (job === undefined || (job.status !== 'running' && job.status !== 'cancelling')) {
      this.logger.error(`single-job mode: training job ${jobId} is ${job?.status ?? 'unknown'}, not running; nothing to do`);
    } else {
      this.logger.info(`single-job mode: running training job ${jobId} under lease ${this.owner}`);
      this.startJob(job);
      await Promise.all([...this.runs]);
    }
    process.kill(process.pid, 'SIGTERM');
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts the claim loop (idempotent). */
  start(onlyJobId?: string): void {
    if (this.loop !== undefined || this.stopped) return;
    this.onlyJobId = onlyJobId;
    this.shutdown.addEventListener('abort', () => this.abortAll('shutdown'), { once: true });
    this.loop = this.runLoop().catch((error: unknown) => this.logger.error({ err: error }, 'training worker loop stopped on an error'));
  }

  /** Stops claiming, aborts running jobs and waits until each is handed back or finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abortAll('shutdown');
    this.notify();
    await this.loop;
    await Promise.all([...this.runs]);
  }

  /** Number of jobs running in this process now. */
  runningCount(): number {
    return this.running.size;
  }

  jobSubmitted(): void {
    this.notify();
  }

  cancelRequested(jobId: string): void {
    this.abortJob(jobId, 'cancelled');
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.sweepExpired();
        const free = this.config.trainingConcurrency - this.running.size;
        if (free > 0) {
          const claimed = await this.jobs.claim(this.owner, free, this.config.jobLease, this.onlyJobId);
          for (const job of claimed) this.startJob(job);
          if (claimed.length === free) continue;
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.error({ err: error }, `training worker could not claim jobs: ${String(error)}`);
      }
      if (!this.stopped) await this.pause.sleep(POLL_MS);
    }
  }

  private async sweepExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < Math.min(POLL_MS * 4, this.config.jobLease / 2)) return;
    this.lastSweep = now;
    for (const job of await this.jobs.requeueExpired(this.config.jobMaxInterruptions)) {
      if (job.status === 'queued') this.logger.warn({ jobId: job.id, attempts: job.attempts }, `training job ${job.id} lost its worker (lease expired); re-queued`);
      else this.logger.error({ jobId: job.id, attempts: job.attempts }, `training job ${job.id} lost its worker ${job.attempts} times; now ${job.status}`);
      await this.events.statusChanged(job.id, 'running');
    }
  }

  private startJob(job: TrainingJobRecord): void {
    const state: RunningJob = { controller: new AbortController() };
    this.running.set(job.id, state);
    if (this.shutdown.aborted || this.stopped) this.abortJob(job.id, 'shutdown');
    const run = this.execute(job, state)
      .catch((error: unknown) => this.logger.error({ err: error, jobId: job.id }, `training job ${job.id} could not be recorded: ${String(error)}`))
      .finally(() => {
        this.running.delete(job.id);
        this.runs.delete(run);
        this.notify();
      });
    this.runs.add(run);
  }

  private async execute(job: TrainingJobRecord, state: RunningJob): Promise<void> {
    const plan = job.spec.plan;
    const logger = this.logger.child({ jobId: job.id, model: plan.modelName, trainer: plan.trainer });
    const events = this.events.buffer(job.id, (error) => logger.warn({ err: error }, `could not record events of job ${job.id}: ${String(error)}`));
    await this.events.statusChanged(job.id, 'queued');
    logger.info({ attempt: job.attempts }, `training job ${job.id} started: ${plan.trainer} for ${plan.modelName} attempt=${job.attempts}`);

    const heartbeat = setInterval(() => void this.heartbeat(job.id), Math.max(50, Math.floor(this.config.jobLease / 3)));
    const timeout = setTimeout(() => this.abortJob(job.id, 'timeout'), plan.timeoutMs);
    const lastLogged = { at: 0 };
    const context: JobRunContext = {
      job,
      signal: state.controller.signal,
      codeVersion: plan.codeVersion !== '' ? plan.codeVersion : this.codeVersion,
      log: (level: LogLevel, message: string) => {
        logger[level === 'debug' ? 'debug' : level]({ attempt: job.attempts }, `job ${job.id.slice(0, 8)}: ${message}`);
        events.log(job.attempts, level, message);
      },
      progress: (progress) => {
        const now = Date.now();
        if (now - lastLogged.at >= 2000 || progress.iteration === progress.totalIterations) {
          lastLogged.at = now;
          const validation = progress.validationLoss === undefined ? '' : ` validation_loss=${progress.validationLoss.toFixed(5)}`;
          logger.info(`job ${job.id.slice(0, 8)}: iteration ${progress.iteration}/${progress.totalIterations} loss=${progress.loss.toFixed(5)}${validation}`);
        }
        events.progress({ attempt: job.attempts, ...progress });
      },
      save: async (patch) => {
        if (!(await this.jobs.saveProgress(job.id, this.owner, patch))) this.abortJob(job.id, 'lease-lost');
      },
      saveArtifact: (sha256, content) => this.jobs.saveArtifact(job.id, sha256, content),
    };

    let outcome: { ok: true; results: Awaited<ReturnType<RunTrainingJob['execute']>> } | { ok: false; error: unknown };
    try {
      if (this.config.trainingExecutor === 'kubernetes' && this.config.runJobId === undefined) {
        await this.runInPod(job, state, logger);
        return;
      }
      outcome = { ok: true, results: await this.runJob.execute(context) };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
    }
    await events.flush();
    await this.record(job, state, outcome, logger);
  }

  /** Runs the job in a Kubernetes pod that records everything itself; fails the job only if the pod ended without finishing it. */
  private async runInPod(job: TrainingJobRecord, state: RunningJob, logger: Logger): Promise<void> {
    let podOutcome: 'succeeded' | 'failed' | 'aborted';
    try {
      podOutcome = await this.kubernetes.run(job, this.owner, state.controller.signal);
    } catch (error) {
      if (!state.controller.signal.aborted) logger.error({ err: error }, `training job ${job.id}: the kubernetes executor failed: ${String(error)}`);
      podOutcome = state.controller.signal.aborted ? 'aborted' : 'failed';
    }
    const after = await this.jobs.findById(job.id);
    if (after !== undefined && TERMINAL_STATUSES.includes(after.status)) {
      logger.info(`training job ${job.id} finished in its pod: ${after.status}`);
      return;
    }
    const failure = new JobFailure('CONTAINER_FAILED', `the training pod ended (${podOutcome}) without finishing the job`, true);
    await this.record(job, state, { ok: false, error: failure }, logger);
  }

  private async record(
    job: TrainingJobRecord,
    state: RunningJob,
    outcome: { ok: true; results: Awaited<ReturnType<RunTrainingJob['execute']>> } | { ok: false; error: unknown },
    logger: Logger,
  ): Promise<void> {
    const previous: JobStatus = 'running';
    switch (state.stopReason) {
      case 'shutdown':
        await this.jobs.release(job.id, this.owner);
        logger.info(`training job ${job.id} interrupted by shutdown; handed back to the queue`);
        await this.events.statusChanged(job.id, previous);
        return;
      case 'lease-lost':
        logger.warn(`training job ${job.id} stopped: its lease was taken over`);
        return;
      case 'cancelled':
        await this.jobs.finish(job.id, this.owner, 'cancelled', {});
        logger.info(`training job ${job.id} cancelled`);
        await this.events.statusChanged(job.id, 'cancelling');
        return;
      default:
        break;
    }
    if (outcome.ok) {
      await this.jobs.finish(job.id, this.owner, 'succeeded', { results: outcome.results });
      logger.info({ durationMs: outcome.results.durationMs, metrics: outcome.results.metrics }, `training job ${job.id} succeeded in ${outcome.results.durationMs ?? 0} ms`);
      await this.events.statusChanged(job.id, previous);
      return;
    }
    const error = jobErrorOf(outcome.error, state.controller.signal.reason);
    if (error.retryable && job.attempts < job.spec.plan.maxAttempts) {
      await this.jobs.requeue(job.id, this.owner, error);
      logger.warn(`training job ${job.id} attempt ${job.attempts} failed (${error.code}: ${error.message}); re-queued`);
    } else {
      await this.jobs.finish(job.id, this.owner, 'failed', {}, error);
      logger.error(`training job ${job.id} failed: ${error.code}: ${error.message}`);
    }
    await this.events.statusChanged(job.id, previous);
  }

  private async heartbeat(jobId: string): Promise<void> {
    if (!this.running.has(jobId)) return;
    try {
      const lease = await this.jobs.renewLease(jobId, this.owner, this.config.jobLease);
      if (!lease.held) this.abortJob(jobId, 'lease-lost');
      else if (lease.cancelRequested) this.abortJob(jobId, 'cancelled');
    } catch (error) {
      this.logger.warn({ err: error, jobId }, `could not renew the lease of training job ${jobId}: ${String(error)}`);
    }
  }

  private abortJob(jobId: string, reason: StopReason): void {
    const state = this.running.get(jobId);
    if (state === undefined || state.stopReason !== undefined) return;
    state.stopReason = reason === 'timeout' ? undefined : reason;
    state.controller.abort(reason === 'timeout' ? new JobFailure('TIMEOUT', 'the attempt ran longer than the job timeout') : new Error(`job ${reason}`));
  }

  private abortAll(reason: StopReason): void {
    for (const jobId of this.running.keys()) this.abortJob(jobId, reason);
  }

  private notify(): void {
    this.pause.wake();
  }
}

function jobErrorOf(error: unknown, abortReason: unknown): JobError {
  // A timeout aborts whatever step was running; the abort reason says it was the timeout.
  if (abortReason instanceof JobFailure) return { code: abortReason.code, message: abortReason.message, retryable: abortReason.retryable };
  if (error instanceof JobFailure) return { code: error.code, message: error.message, retryable: error.retryable };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), retryable: true };
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

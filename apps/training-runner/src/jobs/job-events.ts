import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { JobEvent, JobEventPayload, JobStatus, LogLevel, ProgressEvent } from './training-job';
import { TrainingJobRepository } from './training-job.repository';

/**
 * A job's event log: status changes, progress and log lines, stored in order (WatchJob
 * replays them) and announced in-process so watchers hear of them at once; watchers of jobs
 * run elsewhere (another replica, a Kubernetes Job) poll the table.
 */
@Injectable()
export class JobEvents {
  private readonly appended = new EventEmitter().setMaxListeners(0);

  constructor(private readonly jobs: TrainingJobRepository) {}

  /** Stores events in order (one statement) and wakes this process's watchers. */
  async append(jobId: string, ...payloads: JobEventPayload[]): Promise<void> {
    const events = await this.jobs.appendEvents(jobId, payloads);
    if (events.length > 0) this.appended.emit(jobId);
  }

  /** Records a status transition with the job as it is now. */
  async statusChanged(jobId: string, previousStatus: JobStatus | undefined): Promise<void> {
    const job = await this.jobs.findById(jobId);
    if (job === undefined) return;
    await this.append(jobId, { kind: 'status', status: job.status, ...(previousStatus === undefined ? {} : { previousStatus }), job });
  }

  /**
   * A buffer for a running job's progress and log events: they are written together at most
   * every `flushMs` (a boosting round can take microseconds; one INSERT per round would keep
   * the event loop busy), always in order, and before the job's next status change.
   */
  buffer(jobId: string, onError: (error: unknown) => void, flushMs = 200): JobEventBuffer {
    return new JobEventBuffer((payloads) => this.append(jobId, ...payloads), onError, flushMs);
  }

  /** Up to 1000 events after `afterSequence`, oldest first. */
  eventsAfter(jobId: string, afterSequence: number): Promise<JobEvent[]> {
    return this.jobs.eventsAfter(jobId, afterSequence, 1000);
  }

  lastSequence(jobId: string): Promise<number> {
    return this.jobs.lastSequence(jobId);
  }

  /** Calls `listener` whenever events are appended in this process to `jobId`; returns the unsubscribe function. */
  subscribe(jobId: string, listener: () => void): () => void {
    this.appended.on(jobId, listener);
    return () => this.appended.off(jobId, listener);
  }
}

/** Progress and log events of one running job, written in batches (see {@link JobEvents.buffer}). */
export class JobEventBuffer {
  private pending: JobEventPayload[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (payloads: JobEventPayload[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly flushMs: number,
  ) {}

  progress(progress: Omit<ProgressEvent, 'kind'>): void {
    this.add({ kind: 'progress', ...progress });
  }

  log(attempt: number, level: LogLevel, message: string): void {
    this.add({ kind: 'log', level, message: message.length > 16_384 ? message.slice(0, 16_384) : message, attempt });
  }

  /** Writes what is pending and waits for every earlier write. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch)).catch(this.onError);
    return this.writing;
  }

  private add(payload: JobEventPayload): void {
    this.pending.push(payload);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }
}

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

  async append(jobId: string, payload: JobEventPayload): Promise<JobEvent> {
    const event = await this.jobs.appendEvent(jobId, payload);
    this.appended.emit(jobId, event);
    return event;
  }

  /** Records a status transition with the job as it is now. */
  async statusChanged(jobId: string, previousStatus: JobStatus | undefined): Promise<void> {
    const job = await this.jobs.findById(jobId);
    if (job === undefined) return;
    await this.append(jobId, { kind: 'status', status: job.status, ...(previousStatus === undefined ? {} : { previousStatus }), job });
  }

  async progress(jobId: string, progress: Omit<ProgressEvent, 'kind'>): Promise<void> {
    await this.append(jobId, { kind: 'progress', ...progress });
  }

  async log(jobId: string, attempt: number, level: LogLevel, message: string): Promise<void> {
    await this.append(jobId, { kind: 'log', level, message: message.length > 16_384 ? message.slice(0, 16_384) : message, attempt });
  }

  eventsAfter(jobId: string, afterSequence: number): Promise<JobEvent[]> {
    return this.jobs.eventsAfter(jobId, afterSequence);
  }

  lastSequence(jobId: string): Promise<number> {
    return this.jobs.lastSequence(jobId);
  }

  /** Calls `listener` for each event appended in this process to `jobId`; returns the unsubscribe function. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    this.appended.on(jobId, listener);
    return () => this.appended.off(jobId, listener);
  }
}

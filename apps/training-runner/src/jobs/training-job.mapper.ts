import type { trainingV1 } from '@strata/contracts';
import { toTimestamp } from '@strata/service-runtime';
import type { JobEvent, JobFilter, JobStatus, LogLevel, TrainingJobRecord } from './training-job';

const STATUS_TO_WIRE: Readonly<Record<JobStatus, string>> = {
  queued: 'JOB_STATUS_QUEUED',
  running: 'JOB_STATUS_RUNNING',
  succeeded: 'JOB_STATUS_SUCCEEDED',
  failed: 'JOB_STATUS_FAILED',
  cancelling: 'JOB_STATUS_CANCELLING',
  cancelled: 'JOB_STATUS_CANCELLED',
};
const STATUS_FROM_WIRE: Readonly<Record<string, JobStatus>> = Object.fromEntries(Object.entries(STATUS_TO_WIRE).map(([status, wire]) => [wire, status as JobStatus]));
const LEVELS: Readonly<Record<LogLevel, string>> = { debug: 'LOG_LEVEL_DEBUG', info: 'LOG_LEVEL_INFO', warn: 'LOG_LEVEL_WARN', error: 'LOG_LEVEL_ERROR' };

/** A job record as the wire Job message. */
export function toJobMessage(job: TrainingJobRecord): trainingV1.Job {
  const results = job.results;
  const message = {
    id: job.id,
    spec: job.spec.request as trainingV1.JobSpec,
    idempotencyKey: job.idempotencyKey ?? '',
    status: STATUS_TO_WIRE[job.status],
    attempts: job.attempts,
    createdAt: toTimestamp(job.createdAt),
    startedAt: job.startedAt === undefined ? null : toTimestamp(job.startedAt),
    finishedAt: job.finishedAt === undefined ? null : toTimestamp(job.finishedAt),
    datasetSnapshotId: job.datasetSnapshotId ?? '',
    datasetSnapshotDigest: job.datasetDigest ?? '',
    splitCounts: results.splitCounts === undefined ? null : { trainRows: String(results.splitCounts.train), validationRows: String(results.splitCounts.validation), testRows: String(results.splitCounts.test) },
    params: { ...(results.params ?? {}) },
    metrics: { ...(results.metrics ?? {}) },
    validationMetrics: { ...(results.validationMetrics ?? {}) },
    trainMetrics: { ...(results.trainMetrics ?? {}) },
    evaluation:
      results.evaluation === undefined
        ? null
        : {
            passed: results.evaluation.passed,
            thresholds: results.evaluation.thresholds.map((result) => ({
              threshold: { metric: result.threshold.metric, ...(result.threshold.min === undefined ? {} : { min: result.threshold.min }), ...(result.threshold.max === undefined ? {} : { max: result.threshold.max }) },
              ...(result.value === undefined ? {} : { value: result.value }),
              passed: result.passed,
            })),
          },
    artifactSha256: job.artifactSha256 ?? '',
    artifactSizeBytes: String(job.artifactSize ?? 0),
    registeredVersion: job.registeredVersion ?? 0,
    registrationSkippedReason: results.registrationSkippedReason ?? '',
    error: job.error === undefined ? null : { code: job.error.code, message: job.error.message, retryable: job.error.retryable },
  };
  return message as unknown as trainingV1.Job;
}

/** ListJobs filters from the request. */
export function jobFilterOf(request: trainingV1.ListJobsRequest): JobFilter {
  const status = STATUS_FROM_WIRE[request.status];
  return { ...(status === undefined ? {} : { status }), ...(request.modelName === '' ? {} : { modelName: request.modelName }) };
}

/** A job event as the wire WatchJobResponse. */
export function toWatchResponse(event: JobEvent): trainingV1.WatchJobResponse {
  const base = { sequence: String(event.sequence), time: toTimestamp(event.time) };
  const payload = event.payload;
  switch (payload.kind) {
    case 'status':
      return {
        event: {
          ...base,
          statusChanged: {
            status: STATUS_TO_WIRE[payload.status],
            previousStatus: payload.previousStatus === undefined ? 'JOB_STATUS_UNSPECIFIED' : STATUS_TO_WIRE[payload.previousStatus],
            job: toJobMessage(reviveDates(payload.job)),
          },
        },
      } as unknown as trainingV1.WatchJobResponse;
    case 'progress':
      return {
        event: {
          ...base,
          progress: {
            attempt: payload.attempt,
            iteration: payload.iteration,
            totalIterations: payload.totalIterations,
            loss: payload.loss,
            ...(payload.validationLoss === undefined ? {} : { validationLoss: payload.validationLoss }),
            metrics: { ...(payload.metrics ?? {}) },
          },
        },
      } as unknown as trainingV1.WatchJobResponse;
    case 'log':
      return { event: { ...base, log: { level: LEVELS[payload.level], message: payload.message, attempt: payload.attempt } } } as unknown as trainingV1.WatchJobResponse;
  }
}

/** A job record read back from an event's JSON (dates are ISO strings there). */
function reviveDates(job: TrainingJobRecord): TrainingJobRecord {
  const date = (value: Date | string | undefined): Date | undefined => (value === undefined ? undefined : new Date(value));
  return {
    ...job,
    createdAt: date(job.createdAt) as Date,
    ...(job.startedAt === undefined ? {} : { startedAt: date(job.startedAt) as Date }),
    ...(job.finishedAt === undefined ? {} : { finishedAt: date(job.finishedAt) as Date }),
  };
}

import { featuresV1 } from '@strata/contracts';
import { InvalidArgumentError, type PageRequest, toTimestamp } from '@strata/service-runtime';
import type { JobCounters, JobFilter, JobKind, JobRecord, JobStatus } from './job';

const KINDS: readonly JobKind[] = ['import', 'materialize', 'replay'];
const STATUSES: readonly JobStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** Paging of a request; an unset PageRequest is the first page at the default size. */
export function pageRequestOf(page: { pageSize: number; pageToken: string } | null | undefined): PageRequest {
  return { pageSize: page?.pageSize ?? 0, pageToken: page?.pageToken ?? '' };
}

/** `JOB_KIND_IMPORT` -> `import`; UNSPECIFIED -> undefined (any kind). */
export function jobKindOf(wire: featuresV1.JobKind | string | undefined, field = 'kind'): JobKind | undefined {
  const name = String(wire ?? '').replace(/^JOB_KIND_/, '').toLowerCase();
  if (name === '' || name === 'unspecified') return undefined;
  if (!(KINDS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown job kind ${String(wire)}`, [{ field, description: `must be one of ${KINDS.map((kind) => `JOB_KIND_${kind.toUpperCase()}`).join(', ')}` }]);
  return name as JobKind;
}

/** `JOB_STATUS_RUNNING` -> `running`; UNSPECIFIED -> undefined (any status). */
export function jobStatusOf(wire: featuresV1.JobStatus | string | undefined, field = 'status'): JobStatus | undefined {
  const name = String(wire ?? '').replace(/^JOB_STATUS_/, '').toLowerCase();
  if (name === '' || name === 'unspecified') return undefined;
  if (!(STATUSES as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown job status ${String(wire)}`, [{ field, description: `must be one of ${STATUSES.map((status) => `JOB_STATUS_${status.toUpperCase()}`).join(', ')}` }]);
  return name as JobStatus;
}

/** ListJobs filters; empty strings and UNSPECIFIED do not filter. */
export function jobFilterOf(request: featuresV1.ListJobsRequest): JobFilter {
  const kind = jobKindOf(request.kind);
  const status = jobStatusOf(request.status);
  return {
    ...(kind === undefined ? {} : { kind }),
    ...(status === undefined ? {} : { status }),
    ...(request.source ? { source: request.source } : {}),
    ...(request.featureSetName ? { featureSetName: request.featureSetName } : {}),
  };
}

/** A job as strata.features.v1.Job, with the params member matching its kind. */
export function toJobMessage(job: JobRecord): featuresV1.Job {
  return {
    id: job.id,
    kind: `JOB_KIND_${job.kind.toUpperCase()}` as featuresV1.JobKind,
    status: `JOB_STATUS_${job.status.toUpperCase()}` as featuresV1.JobStatus,
    ...paramsMessageOf(job),
    counters: toCountersMessage(job.counters),
    errorMessage: job.errorMessage,
    createdAt: toTimestamp(job.createdAt),
    startedAt: job.startedAt === undefined ? null : toTimestamp(job.startedAt),
    finishedAt: job.finishedAt === undefined ? null : toTimestamp(job.finishedAt),
  };
}

function toCountersMessage(counters: JobCounters): featuresV1.JobCounters {
  return {
    rowsRead: String(counters.rowsRead),
    rowsAccepted: String(counters.rowsAccepted),
    rowsRejected: String(counters.rowsRejected),
    valuesWritten: String(counters.valuesWritten),
    rowsTotal: String(counters.rowsTotal),
  };
}

function paramsMessageOf(job: JobRecord): Pick<featuresV1.Job, 'importFile' | 'materialize' | 'replay'> {
  const params = job.params;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  switch (job.kind) {
    case 'import':
      return { importFile: { source: text(params['source']), path: text(params['path']), format: `FILE_FORMAT_${text(params['format']).toUpperCase() || 'UNSPECIFIED'}` as featuresV1.FileFormat } };
    case 'replay':
      return { replay: { source: text(params['source']), selectedRows: String(typeof params['selectedRows'] === 'number' ? params['selectedRows'] : 0) } };
    case 'materialize': {
      const featureSet = (params['featureSet'] ?? {}) as { name?: unknown; version?: unknown };
      const instant = (value: unknown) => (typeof value === 'string' && value !== '' ? toTimestamp(new Date(value)) : null);
      return {
        materialize: {
          featureSet: { name: text(featureSet.name), version: typeof featureSet.version === 'number' ? featureSet.version : 0 },
          range: { start: instant(params['start']), end: instant(params['end']) },
        },
      };
    }
  }
}

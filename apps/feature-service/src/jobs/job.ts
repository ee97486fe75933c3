import type { Logger } from 'pino';

/** What a job does (the job_kind enum). */
export type JobKind = 'import' | 'materialize' | 'replay';

/** Where a job is in its life (the job_status enum). */
export type JobStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Row counters of a job (strata.features.v1.JobCounters). */
export interface JobCounters {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  valuesWritten: number;
  rowsTotal: number;
}

/** A job as stored. `params` is the kind's own JSON (import: source/path/format/fieldMapping; materialize: feature set, range; replay: source, selection). */
export interface JobRecord {
  readonly id: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly params: Readonly<Record<string, unknown>>;
  readonly counters: JobCounters;
  /** Where a resumed run continues; undefined on a first run. The handler defines its shape. */
  readonly checkpoint?: unknown;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
}

/** What a handler gets while it runs one job. */
export interface JobContext {
  readonly job: JobRecord;
  /** Aborted when the job is cancelled or the service shuts down; stop soon after. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /**
   * Records progress durably: the resume point and the counters so far (also renews the
   * lease). Call it after each committed unit of work; a crash resumes from the last one.
   */
  checkpoint(checkpoint: unknown, counters: Partial<JobCounters>): Promise<void>;
}

/** Runs the jobs of one kind. Handlers must be idempotent per unit of work, so a resumed job can redo its last unit. */
export interface JobHandler {
  readonly kind: JobKind;
  /** Does the work and returns the final counters; throw to fail the job (the message becomes error_message). */
  run(context: JobContext): Promise<Partial<JobCounters>>;
}

/** A job to create. */
export interface NewJob {
  readonly kind: JobKind;
  readonly params: Record<string, unknown>;
  /** A second enqueue with the same kind and key returns the first job. */
  readonly idempotencyKey?: string;
  /** While a job with this key is pending or running, enqueueing the same key returns it instead of a new job. */
  readonly activeKey?: string;
  readonly rowsTotal?: number;
}

/** ListJobs filters; undefined members do not filter. */
export interface JobFilter {
  readonly kind?: JobKind;
  readonly status?: JobStatus;
  /** Import and replay jobs of this source (params.source). */
  readonly source?: string;
  /** Materialization jobs of this feature set name (params.featureSet.name). */
  readonly featureSetName?: string;
}

/** Counters with every member set to zero. */
export const ZERO_COUNTERS: JobCounters = { rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, valuesWritten: 0, rowsTotal: 0 };

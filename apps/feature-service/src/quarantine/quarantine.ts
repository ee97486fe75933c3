import type { RejectionReason } from '../ingestion/rejection';

/** A quarantined row as stored. */
export interface QuarantinedRow {
  readonly id: string;
  readonly source: string;
  readonly sourceVersion: number;
  readonly reason: RejectionReason;
  readonly field: string;
  readonly message: string;
  readonly rowIndex: number;
  readonly eventId: string;
  /** The row's values as received (JSON scalars), when it could be parsed. */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly raw?: string;
  readonly jobId?: string;
  readonly dedupeKey?: string;
  readonly quarantinedAt: Date;
  readonly replayAttempts: number;
}

/** ListQuarantine filters; undefined members do not filter. */
export interface QuarantineFilter {
  readonly source?: string;
  readonly reason?: RejectionReason;
  readonly jobId?: string;
}

/** Which rows a replay job re-validates (jobs.params of a `replay` job). */
export interface ReplayJobParams {
  readonly source: string;
  /** Specific entries; empty = every row of the source matching `reason`. */
  readonly rowIds: readonly string[];
  readonly reason?: RejectionReason;
  readonly selectedRows: number;
}

/** Where a resumed replay continues: after this quarantine ID. */
export interface ReplayCheckpoint {
  readonly afterId: string;
}

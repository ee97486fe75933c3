import type { Logger } from 'pino';
import type { RejectedRow } from '../ingestion/rejection';
import type { JobCounters } from '../jobs/job';
import type { ImportCheckpoint } from './import';

/** Least time between two progress lines of one import. */
const PROGRESS_INTERVAL_MS = 2000;

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * The log lines of one import: a progress line at most every ~2 s
 * (`import flights-3m.parquet into flights: 1,200,000/3,000,000 rows (40%) 180,000 rows/s, rejected 12`)
 * and a final summary (rows/s, accepted, rejected by reason, duplicates). Duplicates and
 * rejections by reason survive a resume through the checkpoint.
 */
export class ImportProgress {
  private readonly started = Date.now();
  private lastLog = Date.now();
  private duplicates: number;
  private readonly rejectedByReason: Record<string, number>;

  constructor(
    private readonly label: string,
    private readonly logger: Logger,
    resume: ImportCheckpoint | undefined,
    /** Rows already read by earlier runs of a resumed import (not part of this run's rate). */
    private readonly rowsAtStart = 0,
  ) {
    this.duplicates = resume?.duplicates ?? 0;
    this.rejectedByReason = { ...(resume?.rejectedByReason ?? {}) };
  }

  batchWritten(duplicates: number, rejected: readonly RejectedRow[]): void {
    this.duplicates += duplicates;
    for (const row of rejected) this.rejectedByReason[row.reason] = (this.rejectedByReason[row.reason] ?? 0) + 1;
  }

  checkpoint(nextRecord: number, fileId: string): ImportCheckpoint {
    return { nextRecord, fileId, duplicates: this.duplicates, rejectedByReason: { ...this.rejectedByReason } };
  }

  maybeLog(counters: JobCounters): void {
    const now = Date.now();
    if (now - this.lastLog < PROGRESS_INTERVAL_MS) return;
    this.lastLog = now;
    const total = counters.rowsTotal > 0 ? `/${count.format(counters.rowsTotal)} rows (${Math.floor((100 * counters.rowsRead) / counters.rowsTotal)}%)` : ' rows';
    this.logger.info(
      { rowsRead: counters.rowsRead, rowsTotal: counters.rowsTotal, rejected: counters.rowsRejected },
      `${this.label}: ${count.format(counters.rowsRead)}${total} ${count.format(this.rate(counters))} rows/s, rejected ${count.format(counters.rowsRejected)}`,
    );
  }

  logSummary(counters: JobCounters): void {
    const seconds = (Date.now() - this.started) / 1000;
    const reasons = Object.entries(this.rejectedByReason)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]) => `${reason}=${count.format(n)}`)
      .join(' ');
    this.logger.info(
      { rowsRead: counters.rowsRead, accepted: counters.rowsAccepted, rejected: counters.rowsRejected, rejectedByReason: this.rejectedByReason, duplicates: this.duplicates, seconds },
      `${this.label} done: ${count.format(counters.rowsRead)} rows in ${seconds.toFixed(1)} s (${count.format(this.rate(counters))} rows/s), accepted ${count.format(counters.rowsAccepted)}, rejected ${count.format(counters.rowsRejected)}${reasons === '' ? '' : ` (${reasons})`}, duplicates ${count.format(this.duplicates)}`,
    );
  }

  private rate(counters: JobCounters): number {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    return (counters.rowsRead - this.rowsAtStart) / seconds;
  }
}

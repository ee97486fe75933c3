import { Injectable } from '@nestjs/common';
import type { EventToWrite } from '../ingestion/event-writer';
import { RowValidator } from '../ingestion/row-validator';
import type { JobContext, JobCounters, JobHandler } from '../jobs/job';
import { SourceService } from '../source/source.service';
import type { ReplayCheckpoint, ReplayJobParams } from './quarantine';
import { QuarantineRepository, type StillRejected } from './quarantine.repository';

/** Quarantined rows re-validated per batch (one transaction, one checkpoint). */
const REPLAY_BATCH_ROWS = 5_000;

/**
 * Runs `replay` jobs: re-validates the selected quarantined rows against the source's
 * latest version in ID order; rows that pass become events (keeping their original event
 * ID, or the file-derived ID of an imported row) and leave quarantine, rows that still
 * fail get their new reason and one more replay attempt. Resumes after the last batch.
 */
@Injectable()
export class ReplayJobHandler implements JobHandler {
  readonly kind = 'replay' as const;

  constructor(
    private readonly sources: SourceService,
    private readonly quarantine: QuarantineRepository,
  ) {}

  async run(context: JobContext): Promise<Partial<JobCounters>> {
    const params = context.job.params as unknown as ReplayJobParams;
    const source = await this.sources.latest(params.source);
    const validator = new RowValidator(source);
    const counters: JobCounters = { ...context.job.counters };
    let afterId = (context.job.checkpoint as ReplayCheckpoint | undefined)?.afterId;
    for (;;) {
      if (context.signal.aborted) throw new Error('replay stopped');
      const batch = await this.quarantine.nextBatch(source.spec.name, params.rowIds ?? [], params.reason, afterId, REPLAY_BATCH_ROWS);
      if (batch.length === 0) break;
      const accepted: (EventToWrite & { quarantineId: string })[] = [];
      const stillRejected: StillRejected[] = [];
      for (const row of batch) {
        const result = row.fields === undefined ? undefined : validator.validateRecord(row.fields);
        if (result?.ok === true) {
          accepted.push({ event: result.event, eventId: row.eventId || row.dedupeKey || `quarantine:${row.id}`, quarantineId: row.id });
        } else {
          const rejection = result === undefined ? { reason: row.reason, field: row.field, message: row.message } : result.rejection;
          stillRejected.push({ id: row.id, rejection: { reason: rejection.reason, field: rejection.field, message: rejection.message } });
        }
      }
      await this.quarantine.applyReplay(source.spec.name, source.version, accepted, stillRejected);
      counters.rowsRead += batch.length;
      counters.rowsAccepted += accepted.length;
      counters.rowsRejected += stillRejected.length;
      afterId = (batch.at(-1) as { id: string }).id;
      await context.checkpoint({ afterId } satisfies ReplayCheckpoint, counters);
    }
    context.logger.info(
      { source: source.spec.name, version: source.version, ...counters },
      `replay of ${source.spec.name} quarantine against v${source.version}: ${counters.rowsRead} rows, accepted ${counters.rowsAccepted}, still rejected ${counters.rowsRejected}`,
    );
    return counters;
  }
}

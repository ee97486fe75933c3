import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { EventWriter, type EventToWrite } from '../ingestion/event-writer';
import type { RejectedRow } from '../ingestion/rejection';
import { RowValidator } from '../ingestion/row-validator';
import type { JobContext, JobCounters, JobHandler } from '../jobs/job';
import { SourceService } from '../source/source.service';
import type { ImportCheckpoint, ImportJobParams } from './import';
import { ImportProgress } from './import-progress';
import { readerFor } from './readers/file-readers';
import type { FileRecord } from './readers/file-record';

/** Records validated and written per batch (one transaction, one checkpoint). */
export const IMPORT_BATCH_ROWS = 10_000;

/**
 * Batches being written at once (see run()). Four rather than two: decoding a Parquet row
 * group blocks this thread for about a second, and the queued batches keep PostgreSQL busy
 * meanwhile (flights-3m: import 27 s -> 21 s measured back to back).
 */
const WRITES_IN_FLIGHT = 4;

/**
 * Runs `import` jobs: streams the file in batches, validates every record against the
 * source's latest version, stores accepted events and quarantines rejected records (with
 * PARSE_ERROR and the raw text for unparsable ones), then checkpoints the next record.
 * Event IDs are `<first 16 hex of the file's sha256>:<record index>` (the quarantine
 * dedupe key likewise), so re-importing the same file, or redoing the last batch after a
 * crash, stores nothing twice.
 */
@Injectable()
export class ImportJobHandler implements JobHandler {
  readonly kind = 'import' as const;

  constructor(
    private readonly sources: SourceService,
    private readonly writer: EventWriter,
  ) {}

  async run(context: JobContext): Promise<Partial<JobCounters>> {
    const params = context.job.params as unknown as ImportJobParams;
    const source = await this.sources.latest(params.source);
    const validator = new RowValidator(source);
    const reader = readerFor(params.format);
    const resume = context.job.checkpoint as ImportCheckpoint | undefined;
    const fileId = await fileIdOf(params.absolutePath);
    if (resume !== undefined && resume.fileId !== fileId) throw new Error(`${params.path} changed since the import started (its sha256 differs); import it again as a new job`);
    const rowsTotal = context.job.counters.rowsTotal || (await reader.countRecords(params.absolutePath)) || 0;
    const counters: JobCounters = { ...context.job.counters, rowsTotal };
    const progress = new ImportProgress(`import ${path.basename(params.path)} into ${source.spec.name}`, context.logger, resume, counters.rowsRead);
    const rename = renamerOf(params.fieldMapping);
    const origin = { source: source.spec.name, sourceVersion: source.version, jobId: context.job.id };

    let accepted: EventToWrite[] = [];
    let rejected: RejectedRow[] = [];
    let nextRecord = resume?.nextRecord ?? 0;
    // Reading and validating overlap with writing: up to WRITES_IN_FLIGHT batches are written
    // at once (PostgreSQL spends most of an import inserting and indexing, and uses a core per
    // connection; PGlite serializes them). Checkpoints follow file order — a batch is
    // checkpointed only after every earlier batch — so a crash resumes after the last batch
    // whose predecessors are all committed (a redone batch only finds duplicates).
    // COPY first (see EventWriter): a file imported for the first time holds only new event
    // IDs. After a batch that found some already stored (a re-import, a resumed job redoing
    // its last batches) the next ones go the conflict-skipping way directly, until one finds none.
    let copyFirst = true;
    let previous: Promise<void> = Promise.resolve();
    const inFlight: Promise<void>[] = [];
    const flush = async (): Promise<void> => {
      const batch = { accepted, rejected, nextRecord };
      accepted = [];
      rejected = [];
      if (inFlight.length >= WRITES_IN_FLIGHT) await inFlight.shift();
      const write = this.writer.write(origin, batch.accepted, batch.rejected, { copyFirst });
      const after = previous;
      const done = (async () => {
        const written = await write;
        copyFirst = written.duplicates === 0;
        await after;
        counters.rowsRead += batch.accepted.length + batch.rejected.length;
        counters.rowsAccepted += batch.accepted.length;
        counters.rowsRejected += batch.rejected.length;
        progress.batchWritten(written.duplicates, batch.rejected);
        await context.checkpoint(progress.checkpoint(batch.nextRecord, fileId), counters);
        progress.maybeLog(counters);
      })();
      // A failed write surfaces when its turn comes (next flushes or the end); not unhandled meanwhile.
      done.catch(() => undefined);
      previous = done;
      inFlight.push(done);
    };

    for await (const record of reader.records(params.absolutePath, nextRecord)) {
      const id = `${fileId}:${record.index}`;
      const outcome = this.validate(validator, record, rename, id);
      if ('event' in outcome) accepted.push(outcome);
      else rejected.push(outcome);
      nextRecord = record.index + 1;
      if (accepted.length + rejected.length >= IMPORT_BATCH_ROWS) {
        if (context.signal.aborted) throw new Error('import stopped');
        await flush();
      }
    }
    await flush();
    await Promise.all(inFlight);
    progress.logSummary(counters);
    return counters;
  }

  private validate(validator: RowValidator, record: FileRecord, rename: Renamer, id: string): EventToWrite | RejectedRow {
    if (record.values === undefined) {
      return { rowIndex: record.index, eventId: '', reason: 'PARSE_ERROR', field: '', message: record.error ?? 'the record could not be parsed', raw: record.raw ?? '', dedupeKey: id };
    }
    const values = rename(record.values);
    const result = validator.validateRecord(values);
    if (result.ok) return { event: result.event, eventId: id };
    const { reason, field, message } = result.rejection;
    return { rowIndex: record.index, eventId: '', reason, field, message, fields: values, dedupeKey: id };
  }
}

type Renamer = (values: Record<string, unknown>) => Record<string, unknown>;

function renamerOf(mapping: Readonly<Record<string, string>>): Renamer {
  const entries = Object.entries(mapping ?? {}).filter(([column, field]) => column !== field);
  if (entries.length === 0) return (values) => values;
  return (values) => {
    const renamed: Record<string, unknown> = { ...values };
    for (const [column, field] of entries) {
      if (column in renamed) {
        renamed[field] = renamed[column];
        delete renamed[column];
      }
    }
    return renamed;
  };
}

/** The first 16 hex digits of the file's sha256: the stable part of its records' event IDs. */
async function fileIdOf(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}

import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError, LOGGER, ResourceExhaustedError } from '@strata/service-runtime';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { fromWireValue, type Scalar } from '../shared/scalar';
import type { Source } from '../source/source';
import { SourceService } from '../source/source.service';
import { EventWriter, type EventToWrite } from './event-writer';
import { type IncomingBatch, type IngestSummary, MAX_REJECTION_SAMPLES, MAX_ROWS_PER_MESSAGE, type RowRejectionSample } from './ingestion';
import type { RejectedRow } from './rejection';
import { RowValidator } from './row-validator';

/**
 * IngestEvents: validates each streamed row against the source's latest version, stores
 * every message's accepted rows and quarantines its rejected ones before reading the next
 * message (so rows received before an error stay ingested), and sums up the stream.
 */
@Injectable()
export class IngestEventsUseCase {
  constructor(
    private readonly sources: SourceService,
    private readonly writer: EventWriter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(messages: AsyncIterable<IncomingBatch>): Promise<IngestSummary> {
    let source: Source | undefined;
    let validator: RowValidator | undefined;
    let rowIndex = 0;
    let accepted = 0;
    let rejected = 0;
    let duplicates = 0;
    const samples: RowRejectionSample[] = [];
    for await (const message of messages) {
      if (source === undefined) {
        if (message.source === '') throw new InvalidArgumentError('the first message must name the source', [{ field: 'source', description: 'required in the first message' }]);
        source = await this.sources.latest(message.source);
        validator = new RowValidator(source);
      } else if (message.source !== '' && message.source !== source.spec.name) {
        throw new InvalidArgumentError(`a later message names source "${message.source}", the stream ingests into "${source.spec.name}"`, [
          { field: 'source', description: `must be empty or "${source.spec.name}" after the first message` },
        ]);
      }
      if (message.rows.length > MAX_ROWS_PER_MESSAGE) {
        throw new ResourceExhaustedError(`a message carries ${message.rows.length} rows; at most ${MAX_ROWS_PER_MESSAGE} rows per message are accepted`);
      }
      const events: EventToWrite[] = [];
      const rejections: RejectedRow[] = [];
      for (const row of message.rows) {
        const result = (validator as RowValidator).validateWire(row.fields);
        if (result.ok) {
          events.push({ event: result.event, eventId: row.eventId === '' ? `gen:${randomUUID()}` : row.eventId });
        } else {
          const { reason, field, message: text } = result.rejection;
          rejections.push({ rowIndex, eventId: row.eventId, reason, field, message: text, fields: scalarsOf(row.fields), ...(row.eventId === '' ? {} : { dedupeKey: `event:${row.eventId}` }) });
          if (samples.length < MAX_REJECTION_SAMPLES) samples.push({ rowIndex, eventId: row.eventId, reason, field, message: text });
        }
        rowIndex += 1;
      }
      const written = await this.writer.write({ source: source.spec.name, sourceVersion: source.version }, events, rejections);
      accepted += written.inserted;
      duplicates += written.duplicates;
      rejected += rejections.length;
    }
    if (source === undefined) throw new InvalidArgumentError('the stream carried no message naming a source', [{ field: 'source', description: 'required in the first message' }]);
    this.logger.info(
      { source: source.spec.name, version: source.version, accepted, rejected, duplicates },
      `ingested into ${source.spec.name} v${source.version}: accepted=${accepted} rejected=${rejected} duplicates=${duplicates}`,
    );
    return { source: source.spec.name, sourceVersion: source.version, accepted, rejected, duplicates, rejectionSamples: samples };
  }
}

function scalarsOf(fields: IncomingBatch['rows'][number]['fields']): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const name in fields) out[name] = fromWireValue(fields[name]);
  return out;
}

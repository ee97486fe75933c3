import { Module } from '@nestjs/common';
import { SourceModule } from '../source/source.module';
import { EventCopier } from './event-copy';
import { EventWriter } from './event-writer';
import { IngestEventsUseCase } from './ingest-events.use-case';
import { IngestionController } from './ingestion.controller';

/** IngestEvents: row validation, event storage and quarantine of rejected rows; exports the writer to imports and replays. */
@Module({
  imports: [SourceModule],
  controllers: [IngestionController],
  providers: [EventCopier, EventWriter, IngestEventsUseCase],
  exports: [EventWriter],
})
export class IngestionModule {}

import { Module } from '@nestjs/common';
import { SourceController } from './source.controller';
import { SourceRepository } from './source.repository';
import { SourceService } from './source.service';

/** Event sources: ApplySource, GetSource, ListSources; exports SourceService to ingestion and feature sets. */
@Module({
  controllers: [SourceController],
  providers: [SourceRepository, SourceService],
  exports: [SourceService],
})
export class SourceModule {}

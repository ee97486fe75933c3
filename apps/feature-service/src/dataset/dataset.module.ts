import { Module } from '@nestjs/common';
import { DatasetController } from './dataset.controller';
import { DatasetRepository } from './dataset.repository';
import { DatasetService } from './dataset.service';

/** Immutable training-set snapshots: storage and ReadDataset. */
@Module({
  controllers: [DatasetController],
  providers: [DatasetRepository, DatasetService],
  exports: [DatasetService],
})
export class DatasetModule {}

import { Module } from '@nestjs/common';
import { DatasetModule } from '../dataset/dataset.module';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { FeatureSetModule } from '../feature-set/feature-set.module';
import { SourceModule } from '../source/source.module';
import { BuildTrainingSetUseCase } from './build-training-set.use-case';
import { EntityRowRepository } from './entity-row.repository';
import { HistoricalController } from './historical.controller';

/** Point-in-time-correct training sets: GetHistoricalFeatures (stored through DatasetModule). */
@Module({
  imports: [DatasetModule, EvaluationModule, FeatureSetModule, SourceModule],
  controllers: [HistoricalController],
  providers: [BuildTrainingSetUseCase, EntityRowRepository],
})
export class HistoricalModule {}

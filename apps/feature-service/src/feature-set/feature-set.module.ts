import { Module } from '@nestjs/common';
import { SourceModule } from '../source/source.module';
import { FeatureSetController } from './feature-set.controller';
import { FeatureSetRepository } from './feature-set.repository';
import { FeatureSetService } from './feature-set.service';

/** Feature set versions: ApplyFeatureSet, GetFeatureSet, ListFeatureSets; exports FeatureSetService to materialization and serving. */
@Module({
  imports: [SourceModule],
  controllers: [FeatureSetController],
  providers: [FeatureSetRepository, FeatureSetService],
  exports: [FeatureSetService],
})
export class FeatureSetModule {}

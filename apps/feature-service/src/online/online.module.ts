import { Module } from '@nestjs/common';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { FeatureSetModule } from '../feature-set/feature-set.module';
import { OnlineCache } from './online-cache';
import { OnlineController } from './online.controller';
import { OnlineFeaturesService } from './online-features.service';
import { OnlineRepository } from './online.repository';

/** GetOnlineFeatures: the online store behind an in-process cache, and as-of reads from the offline tiles. */
@Module({
  imports: [EvaluationModule, FeatureSetModule],
  controllers: [OnlineController],
  providers: [OnlineCache, OnlineFeaturesService, OnlineRepository],
  exports: [OnlineCache],
})
export class OnlineModule {}

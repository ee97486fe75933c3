import { Module } from '@nestjs/common';
import { FeatureSetModule } from '../feature-set/feature-set.module';
import { FeatureStatsController } from './feature-stats.controller';
import { FeatureStatsRepository } from './feature-stats.repository';
import { FeatureStatsService } from './feature-stats.service';

/** Statistics over online feature values: GetFeatureStats. */
@Module({
  imports: [FeatureSetModule],
  controllers: [FeatureStatsController],
  providers: [FeatureStatsRepository, FeatureStatsService],
})
export class StatsModule {}

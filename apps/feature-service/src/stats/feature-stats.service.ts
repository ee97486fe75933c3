import { Injectable } from '@nestjs/common';
import { FeatureSetService } from '../feature-set/feature-set.service';
import type { FeatureSetStatistics } from './feature-stats';
import { FeatureStatsRepository } from './feature-stats.repository';

/** GetFeatureStats: statistics of a feature set version's current online values. */
@Injectable()
export class FeatureStatsService {
  constructor(
    private readonly featureSets: FeatureSetService,
    private readonly stats: FeatureStatsRepository,
  ) {}

  /** Statistics of `ref` (version 0 = latest); NOT_FOUND for a feature set version never applied. */
  async statsOf(ref: { readonly name: string; readonly version: number }): Promise<FeatureSetStatistics> {
    return this.stats.compute(await this.featureSets.get(ref, 'feature_set'));
  }
}

import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { toFeatureStatsResponse } from './feature-stats.mapper';
import { FeatureStatsService } from './feature-stats.service';

/** GetFeatureStats of strata.features.v1.FeatureService. */
@Controller()
export class FeatureStatsController {
  constructor(private readonly stats: FeatureStatsService) {}

  @GrpcMethod('FeatureService', 'GetFeatureStats')
  async getFeatureStats(request: featuresV1.GetFeatureStatsRequest): Promise<featuresV1.GetFeatureStatsResponse> {
    return toFeatureStatsResponse(await this.stats.statsOf({ name: request.featureSet?.name ?? '', version: request.featureSet?.version ?? 0 }));
  }
}

import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { pageRequestOf } from '../source/source.mapper';
import { featureSetFilterOf, featureSetSpecDraftOf, toFeatureSetMessage } from './feature-set.mapper';
import { FeatureSetService } from './feature-set.service';

/** ApplyFeatureSet, GetFeatureSet and ListFeatureSets of strata.features.v1.FeatureService. */
@Controller()
export class FeatureSetController {
  constructor(private readonly featureSets: FeatureSetService) {}

  @GrpcMethod('FeatureService', 'ApplyFeatureSet')
  async applyFeatureSet(request: featuresV1.ApplyFeatureSetRequest): Promise<featuresV1.ApplyFeatureSetResponse> {
    const { featureSet, created } = await this.featureSets.apply(featureSetSpecDraftOf(request.spec));
    return { featureSet: toFeatureSetMessage(featureSet), created };
  }

  @GrpcMethod('FeatureService', 'GetFeatureSet')
  async getFeatureSet(request: featuresV1.GetFeatureSetRequest): Promise<featuresV1.GetFeatureSetResponse> {
    return { featureSet: toFeatureSetMessage(await this.featureSets.get({ name: request.featureSet?.name ?? '', version: request.featureSet?.version ?? 0 })) };
  }

  @GrpcMethod('FeatureService', 'ListFeatureSets')
  async listFeatureSets(request: featuresV1.ListFeatureSetsRequest): Promise<featuresV1.ListFeatureSetsResponse> {
    const page = await this.featureSets.list(featureSetFilterOf(request), pageRequestOf(request.page));
    return { featureSets: page.items.map(toFeatureSetMessage), page: { nextPageToken: page.nextPageToken } };
  }
}

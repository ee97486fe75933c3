import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { pageRequestOf, sourceSpecDraftOf, toSourceMessage } from './source.mapper';
import { SourceService } from './source.service';

/** ApplySource, GetSource and ListSources of strata.features.v1.FeatureService. */
@Controller()
export class SourceController {
  constructor(private readonly sources: SourceService) {}

  @GrpcMethod('FeatureService', 'ApplySource')
  async applySource(request: featuresV1.ApplySourceRequest): Promise<featuresV1.ApplySourceResponse> {
    const { source, changed } = await this.sources.apply(sourceSpecDraftOf(request.spec));
    return { source: toSourceMessage(source), changed };
  }

  @GrpcMethod('FeatureService', 'GetSource')
  async getSource(request: featuresV1.GetSourceRequest): Promise<featuresV1.GetSourceResponse> {
    return { source: toSourceMessage(await this.sources.get(request.name, request.version)) };
  }

  @GrpcMethod('FeatureService', 'ListSources')
  async listSources(request: featuresV1.ListSourcesRequest): Promise<featuresV1.ListSourcesResponse> {
    const page = await this.sources.list(pageRequestOf(request.page));
    return { sources: page.items.map(toSourceMessage), page: { nextPageToken: page.nextPageToken } };
  }
}

import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type featuresV1, METADATA_KEYS } from '@strata/contracts';
import { setFeatureContractVersion } from '@strata/observability';
import { contractLabel } from '../feature-set/feature-set';
import { onlineFeaturesRequestOf, toOnlineFeaturesResponse } from './online.mapper';
import { OnlineFeaturesService } from './online-features.service';

/** GetOnlineFeatures of strata.features.v1.FeatureService. */
@Controller()
export class OnlineController {
  constructor(private readonly online: OnlineFeaturesService) {}

  @GrpcMethod('FeatureService', 'GetOnlineFeatures')
  async getOnlineFeatures(request: featuresV1.GetOnlineFeaturesRequest, _metadata: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<featuresV1.GetOnlineFeaturesResponse> {
    const served = await this.online.get(onlineFeaturesRequestOf(request));
    const contract = contractLabel(served.featureSet);
    // The observability interceptor returns it as `strata-feature-contract` (and puts it on the
    // trace); without an active request scope (observability not registered) it is sent here.
    if (!setFeatureContractVersion(contract) && call !== undefined) {
      const headers = new Metadata();
      headers.set(METADATA_KEYS.featureContract, contract);
      call.sendMetadata(headers);
    }
    return toOnlineFeaturesResponse(served);
  }
}

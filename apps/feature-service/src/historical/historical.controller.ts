import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { toSnapshotMessage } from '../dataset/dataset.mapper';
import { BuildTrainingSetUseCase } from './build-training-set.use-case';
import { trainingSetRequestOf } from './training-set.mapper';

/** GetHistoricalFeatures of strata.features.v1.FeatureService. */
@Controller()
export class HistoricalController {
  constructor(private readonly buildTrainingSet: BuildTrainingSetUseCase) {}

  @GrpcMethod('FeatureService', 'GetHistoricalFeatures')
  async getHistoricalFeatures(request: featuresV1.GetHistoricalFeaturesRequest): Promise<featuresV1.GetHistoricalFeaturesResponse> {
    return { dataset: toSnapshotMessage(await this.buildTrainingSet.execute(trainingSetRequestOf(request))) };
  }
}

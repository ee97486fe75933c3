import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { toJobMessage } from '../jobs/job.mapper';
import { materializeRequestOf } from './materialization.mapper';
import { MaterializationService } from './materialization.service';

/** Materialize of strata.features.v1.FeatureService. */
@Controller()
export class MaterializationController {
  constructor(private readonly materializations: MaterializationService) {}

  @GrpcMethod('FeatureService', 'Materialize')
  async materialize(request: featuresV1.MaterializeRequest): Promise<featuresV1.MaterializeResponse> {
    return { job: toJobMessage(await this.materializations.materialize(materializeRequestOf(request))) };
  }
}

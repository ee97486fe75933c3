import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { pageRequestOf, toJobMessage } from '../jobs/job.mapper';
import { quarantineFilterOf, rejectionReasonOf, toQuarantinedRowMessage } from './quarantine.mapper';
import { QuarantineService } from './quarantine.service';

/** ListQuarantine and ReplayQuarantine of strata.features.v1.FeatureService. */
@Controller()
export class QuarantineController {
  constructor(private readonly quarantine: QuarantineService) {}

  @GrpcMethod('FeatureService', 'ListQuarantine')
  async listQuarantine(request: featuresV1.ListQuarantineRequest): Promise<featuresV1.ListQuarantineResponse> {
    const { page, fieldTypes } = await this.quarantine.list(quarantineFilterOf(request), pageRequestOf(request.page));
    return { rows: page.items.map((row) => toQuarantinedRowMessage(row, fieldTypes.get(row.source))), page: { nextPageToken: page.nextPageToken } };
  }

  @GrpcMethod('FeatureService', 'ReplayQuarantine')
  async replayQuarantine(request: featuresV1.ReplayQuarantineRequest): Promise<featuresV1.ReplayQuarantineResponse> {
    return { job: toJobMessage(await this.quarantine.replay(request.source ?? '', request.rowIds ?? [], rejectionReasonOf(request.reason))) };
  }
}

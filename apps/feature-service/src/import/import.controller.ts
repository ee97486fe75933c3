import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { toJobMessage } from '../jobs/job.mapper';
import { importRequestOf } from './import.mapper';
import { ImportService } from './import.service';

/** ImportFile of strata.features.v1.FeatureService. */
@Controller()
export class ImportController {
  constructor(private readonly imports: ImportService) {}

  @GrpcMethod('FeatureService', 'ImportFile')
  async importFile(request: featuresV1.ImportFileRequest): Promise<featuresV1.ImportFileResponse> {
    return { job: toJobMessage(await this.imports.start(importRequestOf(request))) };
  }
}

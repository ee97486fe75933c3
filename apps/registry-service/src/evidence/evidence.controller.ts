import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { callerOf, RequireRoles } from '../auth/auth.guard';
import { newEvidenceOf, toEvidenceMessage } from './evidence.mapper';
import { EvidenceService } from './evidence.service';

/** AddEvidence of strata.registry.v1.RegistryService. */
@Controller()
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @GrpcMethod('RegistryService', 'AddEvidence')
  @RequireRoles('ci', 'admin')
  async addEvidence(request: registryV1.AddEvidenceRequest, metadata: Metadata): Promise<registryV1.AddEvidenceResponse> {
    return { evidence: toEvidenceMessage(await this.evidence.add(newEvidenceOf(request), callerOf(metadata))) };
  }
}

import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { callerOf, RequireRoles } from '../auth/auth.guard';
import { approveVersionInputOf, toApprovalMessage } from './approval.mapper';
import { ApprovalService } from './approval.service';

/** ApproveVersion of strata.registry.v1.RegistryService. */
@Controller()
export class ApprovalController {
  constructor(private readonly approvals: ApprovalService) {}

  @GrpcMethod('RegistryService', 'ApproveVersion')
  @RequireRoles('admin')
  async approveVersion(request: registryV1.ApproveVersionRequest, metadata: Metadata): Promise<registryV1.ApproveVersionResponse> {
    const { approval, alreadyExisted } = await this.approvals.approve(approveVersionInputOf(request), callerOf(metadata));
    return { approval: toApprovalMessage(approval), alreadyExisted };
  }
}

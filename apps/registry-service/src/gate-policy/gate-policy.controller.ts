import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { callerOf, RequireRoles } from '../auth/auth.guard';
import { gatePolicyDraftOf, toGatePolicyMessage } from './gate-policy.mapper';
import { GatePolicyService } from './gate-policy.service';

/** SetGatePolicy and GetGatePolicy of strata.registry.v1.RegistryService. */
@Controller()
export class GatePolicyController {
  constructor(private readonly policies: GatePolicyService) {}

  @GrpcMethod('RegistryService', 'SetGatePolicy')
  @RequireRoles('admin')
  async setGatePolicy(request: registryV1.SetGatePolicyRequest, metadata: Metadata): Promise<registryV1.SetGatePolicyResponse> {
    const input = { modelName: request.modelName, alias: request.alias, policy: gatePolicyDraftOf(request.policy), reason: request.reason };
    return { policy: toGatePolicyMessage(await this.policies.set(input, callerOf(metadata))) };
  }

  @GrpcMethod('RegistryService', 'GetGatePolicy')
  async getGatePolicy(request: registryV1.GetGatePolicyRequest): Promise<registryV1.GetGatePolicyResponse> {
    return { policy: toGatePolicyMessage(await this.policies.get(request.modelName, request.alias)) };
  }
}

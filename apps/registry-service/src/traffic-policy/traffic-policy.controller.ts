import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { callerOf, RequireRoles } from '../auth/auth.guard';
import { toTrafficPolicyMessage, trafficPolicyOf } from './traffic-policy.mapper';
import { TrafficPolicyService } from './traffic-policy.service';

/** SetTrafficPolicy and GetTrafficPolicy of strata.registry.v1.RegistryService. */
@Controller()
export class TrafficPolicyController {
  constructor(private readonly policies: TrafficPolicyService) {}

  @GrpcMethod('RegistryService', 'SetTrafficPolicy')
  @RequireRoles('ci', 'admin')
  async setTrafficPolicy(request: registryV1.SetTrafficPolicyRequest, metadata: Metadata): Promise<registryV1.SetTrafficPolicyResponse> {
    const input = { modelName: request.modelName, policy: trafficPolicyOf(request.policy), reason: request.reason };
    const { policy, revision } = await this.policies.set(input, callerOf(metadata));
    return { policy: toTrafficPolicyMessage(policy), revision: revision.toString() };
  }

  @GrpcMethod('RegistryService', 'GetTrafficPolicy')
  async getTrafficPolicy(request: registryV1.GetTrafficPolicyRequest): Promise<registryV1.GetTrafficPolicyResponse> {
    const { policy, isDefault } = await this.policies.get(request.modelName);
    return { policy: toTrafficPolicyMessage(policy), isDefault };
  }
}

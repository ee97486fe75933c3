import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { callerOf, RequireRoles } from '../auth/auth.guard';
import { toGateEvaluationMessage } from '../gate-policy/gate-policy.mapper';
import { rollbackAliasInputOf, setAliasInputOf, toAliasInfo } from './alias.mapper';
import { AliasService } from './alias.service';
import { PromoteVersion } from './promote-version';
import { RollbackAlias } from './rollback-alias';

/** SetAlias, RollbackAlias, GetAlias and ListAliases of strata.registry.v1.RegistryService. */
@Controller()
export class AliasController {
  constructor(
    private readonly promoteVersion: PromoteVersion,
    private readonly rollbackAlias: RollbackAlias,
    private readonly aliases: AliasService,
  ) {}

  @GrpcMethod('RegistryService', 'SetAlias')
  @RequireRoles('ci', 'admin')
  async setAlias(request: registryV1.SetAliasRequest, metadata: Metadata): Promise<registryV1.SetAliasResponse> {
    const { alias, gate } = await this.promoteVersion.execute(setAliasInputOf(request), callerOf(metadata));
    return { alias: alias === undefined ? null : toAliasInfo(alias), gate: toGateEvaluationMessage(gate) };
  }

  @GrpcMethod('RegistryService', 'RollbackAlias')
  @RequireRoles('ci', 'admin')
  async rollback(request: registryV1.RollbackAliasRequest, metadata: Metadata): Promise<registryV1.RollbackAliasResponse> {
    return { alias: toAliasInfo(await this.rollbackAlias.execute(rollbackAliasInputOf(request), callerOf(metadata))) };
  }

  @GrpcMethod('RegistryService', 'GetAlias')
  async getAlias(request: registryV1.GetAliasRequest): Promise<registryV1.GetAliasResponse> {
    return { alias: toAliasInfo(await this.aliases.get(request.modelName, request.alias)) };
  }

  @GrpcMethod('RegistryService', 'ListAliases')
  async listAliases(request: registryV1.ListAliasesRequest): Promise<registryV1.ListAliasesResponse> {
    return { aliases: (await this.aliases.list(request.modelName)).map(toAliasInfo) };
  }
}

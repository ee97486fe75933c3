import { toTimestamp } from '@strata/service-runtime';
import type { registryV1 } from '@strata/contracts';
import type { AliasState } from './alias';
import type { RollbackAliasInput } from './rollback-alias';
import type { SetAliasInput } from './promote-version';

export function setAliasInputOf(request: registryV1.SetAliasRequest): SetAliasInput {
  return {
    modelName: request.modelName,
    alias: request.alias,
    version: request.version,
    ...(request.expectedCurrentVersion == null ? {} : { expectedCurrentVersion: request.expectedCurrentVersion }),
    reason: request.reason,
    overrideGate: request.overrideGate,
    validateOnly: request.validateOnly,
  };
}

export function rollbackAliasInputOf(request: registryV1.RollbackAliasRequest): RollbackAliasInput {
  return {
    modelName: request.modelName,
    alias: request.alias,
    reason: request.reason,
    ...(request.expectedCurrentVersion == null ? {} : { expectedCurrentVersion: request.expectedCurrentVersion }),
  };
}

export function toAliasInfo(alias: AliasState): registryV1.AliasInfo {
  return {
    modelName: alias.modelName,
    alias: alias.alias,
    version: alias.version,
    previousVersion: alias.previousVersion ?? 0,
    artifactSha256: alias.artifactSha256,
    revision: alias.revision.toString(),
    updatedBy: alias.updatedBy,
    reason: alias.reason,
    updatedAt: toTimestamp(alias.updatedAt),
  };
}

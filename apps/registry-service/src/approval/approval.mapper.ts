import { toTimestamp } from '@strata/service-runtime';
import type { registryV1 } from '@strata/contracts';
import type { Approval, ApproveVersionInput } from './approval';

export function approveVersionInputOf(request: registryV1.ApproveVersionRequest): ApproveVersionInput {
  return { modelName: request.modelName, version: request.version, alias: request.alias, reason: request.reason };
}

export function toApprovalMessage(approval: Approval): registryV1.Approval {
  return {
    modelName: approval.modelName,
    version: approval.version,
    alias: approval.alias,
    approvedBy: approval.approvedBy,
    reason: approval.reason,
    approvedAt: toTimestamp(approval.approvedAt),
  };
}

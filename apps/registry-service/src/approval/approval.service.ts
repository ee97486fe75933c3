import { Injectable } from '@nestjs/common';
import { AuditLogRepository } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { GateInputsRepository } from '../gate-policy/gate-inputs.repository';
import { versionNotFound, versionStatusPrecondition } from '../model-version/model-version.errors';
import { RegisteredModelRepository } from '../release/registered-model.repository';
import { ReleaseTransaction } from '../release/release-transaction';
import { RequestCheck, requireModel } from '../release/request-checks';
import type { Approval, ApproveVersionInput } from './approval';
import { ApprovalRepository } from './approval.repository';

/** ApproveVersion: one approval per approver, version and alias; approving again returns the first one. */
@Injectable()
export class ApprovalService {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly versions: GateInputsRepository,
    private readonly approvals: ApprovalRepository,
    private readonly transactions: ReleaseTransaction,
    private readonly audit: AuditLogRepository,
  ) {}

  async approve(input: ApproveVersionInput, caller: Caller): Promise<{ approval: Approval; alreadyExisted: boolean }> {
    new RequestCheck()
      .alias('alias', input.alias)
      .required('reason', input.reason)
      .that(input.version >= 1, 'version', `must be >= 1, got ${input.version}`)
      .orThrow('ApproveVersion request');
    const model = await requireModel(this.models, input.modelName);
    // The model's lock: the approval and a promotion reading approvals never interleave.
    return this.transactions.forModel(model.id, async (tx) => {
      const version = await this.versions.version(model.id, input.version, tx);
      if (version === undefined) throw versionNotFound(model.name, input.version);
      const existing = await this.approvals.find(tx, version.id, input.alias, caller.subject);
      const withModel = (stored: Omit<Approval, 'modelName' | 'version'>): Approval => ({ modelName: model.name, version: input.version, ...stored });
      if (existing !== undefined) return { approval: withModel(existing), alreadyExisted: true };
      if (version.status === 'archived') throw versionStatusPrecondition(model.name, input.version, 'is ARCHIVED and can no longer be approved');
      const approval = withModel(await this.approvals.create(tx, version.id, { alias: input.alias, approvedBy: caller.subject, reason: input.reason }));
      await this.audit.append(tx, { caller, action: 'version_approved', modelName: model.name, alias: input.alias, version: input.version, reason: input.reason, after: approval });
      return { approval, alreadyExisted: false };
    });
  }
}

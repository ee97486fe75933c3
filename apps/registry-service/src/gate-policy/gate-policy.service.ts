import { Injectable } from '@nestjs/common';
import { AuditLogRepository } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { RegisteredModelRepository } from '../release/registered-model.repository';
import { ReleaseTransaction } from '../release/release-transaction';
import { RequestCheck, requireModel } from '../release/request-checks';
import { type GatePolicy, isEmptyGatePolicy } from './gate-policy';
import { type GatePolicyDraft, gatePolicyViolations, toGatePolicy } from './gate-policy-rules';
import { GatePolicyRepository } from './gate-policy.repository';

/** SetGatePolicy as the domain sees it. */
export interface SetGatePolicyInput {
  readonly modelName: string;
  readonly alias: string;
  readonly policy: GatePolicyDraft;
  readonly reason: string;
}

/** Gate policies: one per model and alias, replaced as a whole, audited. */
@Injectable()
export class GatePolicyService {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly policies: GatePolicyRepository,
    private readonly transactions: ReleaseTransaction,
    private readonly audit: AuditLogRepository,
  ) {}

  async get(modelName: string, alias: string): Promise<GatePolicy> {
    new RequestCheck().alias('alias', alias).orThrow('GetGatePolicy request');
    const model = await requireModel(this.models, modelName);
    return this.policies.find(model.id, alias);
  }

  /** Replaces the alias's policy (an empty one removes the gate). */
  async set(input: SetGatePolicyInput, caller: Caller): Promise<GatePolicy> {
    new RequestCheck()
      .alias('alias', input.alias)
      .required('reason', input.reason)
      .add(gatePolicyViolations(input.alias, input.policy))
      .orThrow('SetGatePolicy request');
    const policy = toGatePolicy(input.policy);
    const model = await requireModel(this.models, input.modelName);
    // In the model's transaction: a promotion of this model never sees half a policy change.
    return this.transactions.forModel(model.id, async (tx) => {
      const before = await this.policies.find(model.id, input.alias, tx);
      await this.policies.replace(tx, model.id, input.alias, policy, caller.subject);
      const after = await this.policies.find(model.id, input.alias, tx);
      await this.audit.append(tx, {
        caller,
        action: 'gate_policy_set',
        modelName: model.name,
        alias: input.alias,
        reason: input.reason,
        ...(isEmptyGatePolicy(before) ? {} : { before }),
        ...(isEmptyGatePolicy(after) ? {} : { after }),
      });
      return after;
    });
  }
}

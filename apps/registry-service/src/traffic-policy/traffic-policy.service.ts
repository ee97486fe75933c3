import { Inject, Injectable } from '@nestjs/common';
import { FailedPreconditionError, LOGGER } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { AliasRepository } from '../alias/alias.repository';
import { AuditLogRepository } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { RegisteredModelRepository } from '../release/registered-model.repository';
import { ReleaseEventRepository } from '../release/release-event.repository';
import { ReleaseTransaction } from '../release/release-transaction';
import { RequestCheck, requireModel } from '../release/request-checks';
import { DEFAULT_TRAFFIC_POLICY, type EffectiveTrafficPolicy, type TrafficPolicy } from './traffic-policy';
import { aliasesOf, trafficPolicyViolations } from './traffic-policy-rules';
import { TrafficPolicyRepository } from './traffic-policy.repository';

/** SetTrafficPolicy as the domain sees it. */
export interface SetTrafficPolicyInput {
  readonly modelName: string;
  readonly policy: TrafficPolicy | undefined;
  readonly reason: string;
}

/** Traffic policies: validated, replaced as a whole, emitted as TRAFFIC_POLICY_CHANGED and audited. */
@Injectable()
export class TrafficPolicyService {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly policies: TrafficPolicyRepository,
    private readonly aliases: AliasRepository,
    private readonly transactions: ReleaseTransaction,
    private readonly events: ReleaseEventRepository,
    private readonly audit: AuditLogRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async get(modelName: string): Promise<EffectiveTrafficPolicy> {
    const model = await requireModel(this.models, modelName);
    const policy = await this.policies.find(model.id);
    return policy === undefined ? { policy: DEFAULT_TRAFFIC_POLICY, isDefault: true } : { policy, isDefault: false };
  }

  async set(input: SetTrafficPolicyInput, caller: Caller): Promise<{ policy: TrafficPolicy; revision: bigint }> {
    const { policy } = input;
    const check = new RequestCheck().required('reason', input.reason).add(trafficPolicyViolations(policy));
    if (policy === undefined) return check.fail('SetTrafficPolicy request');
    check.orThrow('SetTrafficPolicy request');
    const model = await requireModel(this.models, input.modelName);
    const stored = await this.transactions.forModel(model.id, async (tx) => {
      const existing = new Set((await this.aliases.list({ modelId: model.id }, tx)).map((alias) => alias.alias));
      const missing = aliasesOf(policy).filter((alias) => !existing.has(alias));
      if (missing.length > 0) {
        const violations = missing.map((alias) => ({ type: 'TRAFFIC_ALIAS', subject: alias, description: `model ${model.name} has no alias ${alias}` }));
        throw new FailedPreconditionError(`the traffic policy routes to aliases that do not exist: ${missing.join(', ')}`, violations);
      }
      const before = await this.policies.find(model.id, tx);
      const revision = await this.events.append(tx, { modelId: model.id, change: { kind: 'traffic_policy_changed', trafficPolicy: policy }, actor: caller.subject, reason: input.reason });
      await this.policies.replace(tx, model.id, policy, caller.subject);
      await this.audit.append(tx, {
        caller,
        action: 'traffic_policy_set',
        modelName: model.name,
        reason: input.reason,
        ...(before === undefined ? {} : { before }),
        after: policy,
        revision,
      });
      return { policy, revision };
    });
    const splits = policy.splits.map((split) => `${split.alias}:${split.percent}`).join(',');
    this.logger.info(`traffic policy set model=${model.name} splits=${splits}${policy.shadowAlias === undefined ? '' : ` shadow=${policy.shadowAlias}:${policy.shadowPercent}`} revision=${stored.revision} by=${caller.subject}`);
    return stored;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { FailedPreconditionError, LOGGER, PermissionDeniedError } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { AliasState } from '../alias/alias';
import { checkTargetStatus, gateViolations } from '../alias/alias-rules';
import { AliasRepository } from '../alias/alias.repository';
import { AuditLogRepository, type PrismaTx } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { type GatedVersion, GateInputsRepository } from '../gate-policy/gate-inputs.repository';
import type { GateEvaluation } from '../gate-policy/gate-policy';
import type { PreparedGate } from '../gate-policy/gate-runner';
import { versionNotFound } from '../model-version/model-version.errors';
import { type RegisteredModel, RegisteredModelRepository } from '../release/registered-model.repository';
import { ReleaseEventRepository } from '../release/release-event.repository';
import { ReleaseTransaction } from '../release/release-transaction';
import { RequestCheck, requireModel } from '../release/request-checks';
import { LiveTrafficGate } from './live-traffic-gate';
import { DEFAULT_ALIAS, DEFAULT_TRAFFIC_POLICY, type EffectiveTrafficPolicy, type TrafficPolicy } from './traffic-policy';
import { aliasesOf, liveAliasesOf, trafficPolicyViolations } from './traffic-policy-rules';
import { TrafficPolicyRepository } from './traffic-policy.repository';

/** SetTrafficPolicy as the domain sees it. */
export interface SetTrafficPolicyInput {
  readonly modelName: string;
  readonly policy: TrafficPolicy | undefined;
  readonly reason: string;
}

/** A live alias the production gate refused: the version it would serve and the verdict. */
interface RefusedAlias {
  readonly alias: string;
  readonly version: number;
  readonly evaluation: GateEvaluation;
}

// Thrown inside the transaction to roll it back when the production gate refuses; never leaves this file.
class LiveTrafficRefused extends Error {
  constructor(
    readonly refused: readonly RefusedAlias[],
    readonly before: TrafficPolicy | undefined,
  ) {
    super('live traffic refused');
  }
}

/**
 * Traffic policies: validated, replaced as a whole, emitted as TRAFFIC_POLICY_CHANGED and audited.
 * Every alias besides production given a share above 0% must pass production's role and gate
 * (LiveTrafficGate); a refused policy changes nothing and leaves one `traffic_policy_set_rejected`
 * audit entry.
 */
@Injectable()
export class TrafficPolicyService {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly policies: TrafficPolicyRepository,
    private readonly aliases: AliasRepository,
    private readonly versions: GateInputsRepository,
    private readonly liveTraffic: LiveTrafficGate,
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
    // Asked before the transaction: production's gate may need the feature service, which must not hold the model's lock.
    const live = liveAliasesOf(policy);
    const prepared = live.length === 0 ? undefined : await this.liveTraffic.prepare(model.id, await this.liveTargets(model, live));
    let stored: { policy: TrafficPolicy; revision: bigint };
    try {
      stored = await this.transactions.forModel(model.id, async (tx) => {
        const existing = new Map((await this.aliases.list({ modelId: model.id }, tx)).map((alias) => [alias.alias, alias]));
        const missing = aliasesOf(policy).filter((alias) => !existing.has(alias));
        if (missing.length > 0) {
          const violations = missing.map((alias) => ({ type: 'TRAFFIC_ALIAS', subject: alias, description: `model ${model.name} has no alias ${alias}` }));
          throw new FailedPreconditionError(`the traffic policy routes to aliases that do not exist: ${missing.join(', ')}`, violations);
        }
        const before = await this.policies.find(model.id, tx);
        await this.checkLiveTraffic(tx, model, caller, live, prepared, existing, before);
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
    } catch (error) {
      if (error instanceof PermissionDeniedError) {
        const before = await this.policies.find(model.id);
        await this.audit.appendAlone({ caller, action: 'traffic_policy_set_rejected', modelName: model.name, reason: input.reason, ...(before === undefined ? {} : { before }), gate: { policy, denied: error.message } });
        this.logger.info(`traffic policy refused model=${model.name} by=${caller.subject} role=${caller.role}: ${DEFAULT_ALIAS}'s gate policy does not allow the role`);
      }
      if (!(error instanceof LiveTrafficRefused)) throw error;
      const refused = error.refused.map(({ alias, version, evaluation }) => ({ alias, version, ...evaluation }));
      await this.audit.appendAlone({ caller, action: 'traffic_policy_set_rejected', modelName: model.name, reason: input.reason, ...(error.before === undefined ? {} : { before: error.before }), gate: { policy, refused } });
      const failure = liveTrafficFailure(error.refused);
      this.logger.info(`traffic policy refused model=${model.name} by=${caller.subject} aliases=${error.refused.map((r) => `${r.alias}:v${r.version}`).join(',')} failed=${failure.violations.map((v) => v.type).join(',')}`);
      throw failure;
    }
    const splits = policy.splits.map((split) => `${split.alias}:${split.percent}`).join(',');
    this.logger.info(`traffic policy set model=${model.name} splits=${splits}${policy.shadowAlias === undefined ? '' : ` shadow=${policy.shadowAlias}:${policy.shadowPercent}`} revision=${stored.revision} by=${caller.subject}`);
    return stored;
  }

  /** The versions the live aliases point at now (read again in the transaction); aliases that do not exist are refused there. */
  private async liveTargets(model: RegisteredModel, live: readonly string[]): Promise<GatedVersion[]> {
    const targets: GatedVersion[] = [];
    for (const alias of live) {
      const state = await this.aliases.find(model.id, alias);
      const version = state === undefined ? undefined : await this.versions.version(model.id, state.version);
      if (version !== undefined) targets.push(version);
    }
    return targets;
  }

  /**
   * In the transaction: every live alias points at an ACTIVE version that passes production's
   * role and gate — or the whole policy is refused with every failed rule of every alias.
   */
  private async checkLiveTraffic(
    tx: PrismaTx,
    model: RegisteredModel,
    caller: Caller,
    live: readonly string[],
    prepared: PreparedGate | undefined,
    aliases: ReadonlyMap<string, AliasState>,
    before: TrafficPolicy | undefined,
  ): Promise<void> {
    const refused: RefusedAlias[] = [];
    for (const alias of live) {
      const version = aliases.get(alias)?.version ?? 0;
      const candidate = await this.versions.version(model.id, version, tx);
      if (candidate === undefined) throw versionNotFound(model.name, version);
      checkTargetStatus(model.name, version, candidate.status, ['active']);
      const evaluation = await this.liveTraffic.evaluate(tx, model.id, caller, `give live traffic to alias ${live.join(', ')}`, alias, candidate, prepared);
      if (!evaluation.passed) refused.push({ alias, version, evaluation });
    }
    if (refused.length > 0) throw new LiveTrafficRefused(refused, before);
  }
}

/** FAILED_PRECONDITION listing every failed production rule of every refused alias. */
function liveTrafficFailure(refused: readonly RefusedAlias[]): FailedPreconditionError {
  const violations = refused.flatMap((alias) => gateViolations(alias.evaluation));
  const which = refused.map((alias) => `${alias.alias} (version ${alias.version})`).join(', ');
  return new FailedPreconditionError(
    `${DEFAULT_ALIAS} gate refused live traffic on ${which} (${violations.length} failed): ${violations.map((v) => v.description).join('; ')}`,
    violations,
  );
}

import { Injectable } from '@nestjs/common';
import { AbortedError, PermissionDeniedError } from '@strata/service-runtime';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { featureContractKey } from '../feature-contracts/feature-contract';
import { type GatedVersion, GateInputsRepository } from '../gate-policy/gate-inputs.repository';
import type { GateEvaluation } from '../gate-policy/gate-policy';
import { GatePolicyRepository } from '../gate-policy/gate-policy.repository';
import { GateRunner, type PreparedGate } from '../gate-policy/gate-runner';
import { DEFAULT_ALIAS } from './traffic-policy';
import { liveAliasesOf } from './traffic-policy-rules';
import { TrafficPolicyRepository } from './traffic-policy.repository';

/**
 * The production gate, held against every other alias that answers clients.
 *
 * A traffic policy is a second way to release a version: an alias with a share above 0% serves
 * default requests exactly as `production` does. So putting a version in front of clients
 * through another alias — a split that gives the alias traffic (SetTrafficPolicy), or a move
 * of an alias that already has traffic (SetAlias, RollbackAlias) — needs the role production's
 * gate policy allows and a version that passes production's gate (same rules, baseline
 * production's current version, approvals for production). A shadow alias is not held to it:
 * its answers never reach a client.
 *
 * One rule reads differently: a required prior alias that is the live alias itself ("canary
 * first", checked for traffic on `canary`) is the stage this traffic is for, so it is not
 * required here — else a canary would have to hold its version idle for the soak time before
 * it may take any traffic. It is still required when production itself moves.
 */
@Injectable()
export class LiveTrafficGate {
  constructor(
    private readonly gatePolicies: GatePolicyRepository,
    private readonly trafficPolicies: TrafficPolicyRepository,
    private readonly inputs: GateInputsRepository,
    private readonly runner: GateRunner,
  ) {}

  /** True when `alias` is not production and has a share above 0% in the model's stored traffic policy. */
  async takesLiveTraffic(modelId: string, alias: string, tx?: PrismaTx): Promise<boolean> {
    const policy = await this.trafficPolicies.find(modelId, tx);
    return policy !== undefined && liveAliasesOf(policy).includes(alias);
  }

  /**
   * Asks the feature service about the candidates' contracts (the versions that would answer
   * clients) when production's gate requires them served. Call it before the model's
   * transaction: a slow feature service must not hold the model's lock.
   */
  async prepare(modelId: string, candidates: readonly GatedVersion[]): Promise<PreparedGate> {
    return this.runner.prepare(DEFAULT_ALIAS, await this.gatePolicies.find(modelId, DEFAULT_ALIAS), candidates);
  }

  /**
   * In the model's transaction: production's role and verdict for `candidate` answering clients
   * through `alias`, compared with production's current version; every check's detail says it
   * is production's rule.
   *
   * @param action what the caller tries, for a refusal: "give live traffic to alias x".
   * @param prepared what {@link prepare} asked the feature service; undefined when nothing was prepared.
   * @throws PermissionDeniedError when production's policy does not allow the caller's role;
   * AbortedError when production's gate needs the feature service's answer about a contract
   * that was not asked (an alias or a policy changed meanwhile).
   */
  async evaluate(tx: PrismaTx, modelId: string, caller: Caller, action: string, alias: string, candidate: GatedVersion, prepared: PreparedGate | undefined): Promise<GateEvaluation> {
    const policy = await this.gatePolicies.find(modelId, DEFAULT_ALIAS, tx);
    if (policy.allowedRoles.length > 0 && !policy.allowedRoles.includes(caller.role)) {
      throw new PermissionDeniedError(
        `${caller.subject} (role ${caller.role}) may not ${action}: live traffic releases a version like moving ${DEFAULT_ALIAS}, whose gate policy allows ${policy.allowedRoles.join(', ')}`,
      );
    }
    const served = prepared?.served;
    if (policy.requireFeatureContractServed && candidate.featureContracts.some((ref) => served?.has(featureContractKey(ref)) !== true)) {
      throw new AbortedError(`alias ${alias} or the gate policy of ${DEFAULT_ALIAS} changed meanwhile: retry`);
    }
    const gate: PreparedGate = {
      alias: DEFAULT_ALIAS,
      policy: { ...policy, requiredPriorAliases: policy.requiredPriorAliases.filter((prior) => prior !== alias) },
      ...(served === undefined ? {} : { served }),
    };
    const evaluation = await this.runner.evaluate(tx, modelId, gate, candidate, await this.inputs.aliasVersion(tx, modelId, DEFAULT_ALIAS));
    return { ...evaluation, checks: evaluation.checks.map((check) => ({ ...check, detail: `${DEFAULT_ALIAS} gate, for live traffic on ${alias}: ${check.detail}` })) };
  }
}

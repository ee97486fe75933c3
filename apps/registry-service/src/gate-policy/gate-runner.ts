import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { FeatureContractChecker, featureContractKey, type FeatureContractRef, type ServedFeatureSet } from '../feature-contracts/feature-contract';
import { Clock } from '../release/clock';
import { GateEvaluator } from './gate-evaluator';
import { type GatedVersion, GateInputsRepository } from './gate-inputs.repository';
import type { GateEvaluation, GatePolicy } from './gate-policy';

/** The gate of one alias, ready to evaluate in the model's transaction. */
export interface PreparedGate {
  /** The alias whose policy this is (approvals are counted for it). */
  readonly alias: string;
  readonly policy: GatePolicy;
  /** The feature service's answers for the candidates' contracts; only when the policy requires them served. */
  readonly served?: ReadonlyMap<string, ServedFeatureSet>;
}

/**
 * Runs an alias's gate policy against a candidate version: gathers what the rules read
 * (the baseline version, prior alias moves, approvals, feature contracts, the time) and
 * evaluates them. SetAlias, RollbackAlias and SetTrafficPolicy all decide through it.
 */
@Injectable()
export class GateRunner {
  constructor(
    private readonly inputs: GateInputsRepository,
    private readonly evaluator: GateEvaluator,
    private readonly featureContracts: FeatureContractChecker,
    private readonly clock: Clock,
  ) {}

  /**
   * Asks the feature service about the candidates' feature contracts when the policy's
   * feature-contract rule needs it. Call it before the model's transaction: a slow feature
   * service must not hold the model's lock.
   */
  async prepare(alias: string, policy: GatePolicy, candidates: readonly GatedVersion[]): Promise<PreparedGate> {
    if (!policy.requireFeatureContractServed) return { alias, policy };
    const refs = new Map<string, FeatureContractRef>();
    for (const ref of candidates.flatMap((candidate) => candidate.featureContracts)) refs.set(featureContractKey(ref), ref);
    return { alias, policy, served: await this.featureContracts.lookup([...refs.values()]) };
  }

  /** The gate's verdict on `candidate`, compared with `currentVersion` (the alias's target; undefined when it has none). */
  async evaluate(tx: PrismaTx, modelId: string, gate: PreparedGate, candidate: GatedVersion, currentVersion: number | undefined): Promise<GateEvaluation> {
    const { policy } = gate;
    const baseline = currentVersion === undefined ? undefined : await this.inputs.version(modelId, currentVersion, tx);
    return this.evaluator.evaluate(policy, {
      candidate,
      ...(baseline === undefined ? {} : { current: baseline }),
      priorAliasMoves: await this.inputs.aliasMoves(tx, modelId, policy.requiredPriorAliases),
      approvers: policy.requiredApprovals > 0 ? await this.inputs.approvers(tx, candidate.id, gate.alias) : [],
      featureContracts: candidate.featureContracts,
      ...(gate.served === undefined ? {} : { servedFeatureSets: gate.served }),
      now: this.clock.now(),
    });
  }
}

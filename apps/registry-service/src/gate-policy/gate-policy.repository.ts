import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import type { Role } from '../auth/caller';
import { type Prisma, PrismaClient } from '../generated/prisma/client';
import { EMPTY_GATE_POLICY, type GatePolicy, isEmptyGatePolicy, type MetricRule } from './gate-policy';

/** gate_policies.rules (jsonb): the policy as the domain holds it. */
type StoredRules = Partial<{
  metricRules: MetricRule[];
  requiredEvidence: string[];
  requiredPriorAliases: string[];
  minTimeInPriorAliasMs: number | null;
  requireFeatureContractServed: boolean;
  allowedRoles: Role[];
  requiredApprovals: number;
}>;

/** Gate policies, one per model and alias. */
@Injectable()
export class GatePolicyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The alias's policy; the empty policy when none is stored. */
  async find(modelId: string, alias: string, tx: PrismaTx = this.prisma): Promise<GatePolicy> {
    const row = await tx.gatePolicy.findUnique({ where: { modelId_alias: { modelId, alias } }, select: { rules: true } });
    return row === null ? EMPTY_GATE_POLICY : fromStored(row.rules as StoredRules);
  }

  /** Stores the policy, or removes it when it is empty. */
  async replace(tx: PrismaTx, modelId: string, alias: string, policy: GatePolicy, updatedBy: string): Promise<void> {
    if (isEmptyGatePolicy(policy)) {
      await tx.gatePolicy.deleteMany({ where: { modelId, alias } });
      return;
    }
    const rules = toStored(policy) as Prisma.InputJsonValue;
    await tx.gatePolicy.upsert({
      where: { modelId_alias: { modelId, alias } },
      create: { modelId, alias, rules, updatedBy },
      update: { rules, updatedBy },
    });
  }
}

function toStored(policy: GatePolicy): StoredRules {
  return {
    metricRules: policy.metricRules.map((rule) => ({ ...rule })),
    requiredEvidence: [...policy.requiredEvidence],
    requiredPriorAliases: [...policy.requiredPriorAliases],
    minTimeInPriorAliasMs: policy.minTimeInPriorAliasMs ?? null,
    requireFeatureContractServed: policy.requireFeatureContractServed,
    allowedRoles: [...policy.allowedRoles],
    requiredApprovals: policy.requiredApprovals,
  };
}

function fromStored(rules: StoredRules): GatePolicy {
  return {
    metricRules: (rules.metricRules ?? []).map((rule) => ({
      metric: rule.metric,
      ...(rule.evidence == null ? {} : { evidence: rule.evidence }),
      ...(rule.min == null ? {} : { min: rule.min }),
      ...(rule.max == null ? {} : { max: rule.max }),
      ...(rule.maxRegression == null ? {} : { maxRegression: rule.maxRegression }),
      lowerIsBetter: rule.lowerIsBetter === true,
    })),
    requiredEvidence: rules.requiredEvidence ?? [],
    requiredPriorAliases: rules.requiredPriorAliases ?? [],
    ...(rules.minTimeInPriorAliasMs == null ? {} : { minTimeInPriorAliasMs: rules.minTimeInPriorAliasMs }),
    requireFeatureContractServed: rules.requireFeatureContractServed === true,
    allowedRoles: rules.allowedRoles ?? [],
    requiredApprovals: rules.requiredApprovals ?? 0,
  };
}

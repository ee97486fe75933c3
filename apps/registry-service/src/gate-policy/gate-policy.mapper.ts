import { durationToMs, msToDuration } from '@strata/service-runtime';
import { registryV1 } from '@strata/contracts';
import type { GateCheck, GateEvaluation, GatePolicy, GateRuleKind } from './gate-policy';
import type { GatePolicyDraft } from './gate-policy-rules';

const RULE_KINDS: Readonly<Record<GateRuleKind, registryV1.GateRuleKind>> = {
  metric: registryV1.GateRuleKind.GATE_RULE_KIND_METRIC,
  regression: registryV1.GateRuleKind.GATE_RULE_KIND_REGRESSION,
  evidence: registryV1.GateRuleKind.GATE_RULE_KIND_EVIDENCE,
  prior_alias: registryV1.GateRuleKind.GATE_RULE_KIND_PRIOR_ALIAS,
  feature_contract: registryV1.GateRuleKind.GATE_RULE_KIND_FEATURE_CONTRACT,
  approval: registryV1.GateRuleKind.GATE_RULE_KIND_APPROVAL,
};

/** A request's policy (unset = empty) as the domain's draft. */
export function gatePolicyDraftOf(policy: registryV1.GatePolicy | null | undefined): GatePolicyDraft {
  return {
    metricRules: (policy?.metricRules ?? []).map((rule) => ({
      metric: rule.metric,
      ...(rule.evidence === '' ? {} : { evidence: rule.evidence }),
      ...(rule.min == null ? {} : { min: rule.min }),
      ...(rule.max == null ? {} : { max: rule.max }),
      ...(rule.maxRegression == null ? {} : { maxRegression: rule.maxRegression }),
      lowerIsBetter: rule.lowerIsBetter,
    })),
    requiredEvidence: policy?.requiredEvidence ?? [],
    requiredPriorAliases: policy?.requiredPriorAliases ?? [],
    ...optionalMs(durationToMs(policy?.minTimeInPriorAlias, 'policy.min_time_in_prior_alias')),
    requireFeatureContractServed: policy?.requireFeatureContractServed ?? false,
    allowedRoles: policy?.allowedRoles ?? [],
    requiredApprovals: policy?.requiredApprovals ?? 0,
  };
}

export function toGatePolicyMessage(policy: GatePolicy): registryV1.GatePolicy {
  return {
    metricRules: policy.metricRules.map((rule) => ({
      metric: rule.metric,
      evidence: rule.evidence ?? '',
      ...(rule.min === undefined ? {} : { min: rule.min }),
      ...(rule.max === undefined ? {} : { max: rule.max }),
      ...(rule.maxRegression === undefined ? {} : { maxRegression: rule.maxRegression }),
      lowerIsBetter: rule.lowerIsBetter,
    })),
    requiredEvidence: [...policy.requiredEvidence],
    requiredPriorAliases: [...policy.requiredPriorAliases],
    minTimeInPriorAlias: policy.minTimeInPriorAliasMs === undefined ? null : msToDuration(policy.minTimeInPriorAliasMs),
    requireFeatureContractServed: policy.requireFeatureContractServed,
    allowedRoles: [...policy.allowedRoles],
    requiredApprovals: policy.requiredApprovals,
  };
}

export function toGateEvaluationMessage(evaluation: GateEvaluation): registryV1.GateEvaluation {
  return { passed: evaluation.passed, overridden: evaluation.overridden, checks: evaluation.checks.map(toGateCheckMessage) };
}

function toGateCheckMessage(check: GateCheck): registryV1.GateCheck {
  return { kind: RULE_KINDS[check.kind], subject: check.subject, passed: check.passed, detail: check.detail };
}

function optionalMs(ms: number | undefined): { minTimeInPriorAliasMs?: number } {
  return ms === undefined ? {} : { minTimeInPriorAliasMs: ms };
}

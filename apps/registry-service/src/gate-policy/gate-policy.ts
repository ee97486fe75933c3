import type { Role } from '../auth/caller';

/** A bound on one metric of the candidate, and optionally a regression guard against the alias's current version. */
export interface MetricRule {
  readonly metric: string;
  /** Evidence the metric is read from; undefined = metrics recorded at registration. */
  readonly evidence?: string;
  readonly min?: number;
  readonly max?: number;
  /** Largest allowed worsening against the alias's current version (absolute). */
  readonly maxRegression?: number;
  /** Direction for maxRegression: true for losses and error rates. */
  readonly lowerIsBetter: boolean;
}

/** The rules a version must pass before an alias may point at it, and who may move the alias. */
export interface GatePolicy {
  readonly metricRules: readonly MetricRule[];
  readonly requiredEvidence: readonly string[];
  readonly requiredPriorAliases: readonly string[];
  /** Minimum continuous time the version must have held each required prior alias. */
  readonly minTimeInPriorAliasMs?: number;
  readonly requireFeatureContractServed: boolean;
  /** Roles that may move the alias; empty = every role that may call SetAlias. */
  readonly allowedRoles: readonly Role[];
  /** Distinct approvals (ApproveVersion for this alias) the version needs. */
  readonly requiredApprovals: number;
}

/** No gate: every version passes, every role may move the alias. */
export const EMPTY_GATE_POLICY: GatePolicy = {
  metricRules: [],
  requiredEvidence: [],
  requiredPriorAliases: [],
  requireFeatureContractServed: false,
  allowedRoles: [],
  requiredApprovals: 0,
};

/** True when the policy has no rule at all (storing it means removing the gate). */
export function isEmptyGatePolicy(policy: GatePolicy): boolean {
  return (
    policy.metricRules.length === 0 &&
    policy.requiredEvidence.length === 0 &&
    policy.requiredPriorAliases.length === 0 &&
    policy.minTimeInPriorAliasMs === undefined &&
    !policy.requireFeatureContractServed &&
    policy.allowedRoles.length === 0 &&
    policy.requiredApprovals === 0
  );
}

/** Kind of a gate rule. */
export type GateRuleKind = 'metric' | 'regression' | 'evidence' | 'prior_alias' | 'feature_contract' | 'approval';

/** google.rpc.PreconditionFailure violation type of each failed rule kind (see SetAlias in the proto). */
export const GATE_VIOLATION_TYPES: Readonly<Record<GateRuleKind, string>> = {
  metric: 'GATE_METRIC',
  regression: 'GATE_REGRESSION',
  evidence: 'GATE_EVIDENCE',
  prior_alias: 'GATE_PRIOR_ALIAS',
  feature_contract: 'GATE_FEATURE_CONTRACT',
  approval: 'GATE_APPROVAL',
};

/** Outcome of one rule. */
export interface GateCheck {
  readonly kind: GateRuleKind;
  /** The metric, evidence, alias or feature set checked. */
  readonly subject: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** Outcome of a whole policy against one version. */
export interface GateEvaluation {
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
  /** True when an admin moved the alias although the gate failed. */
  readonly overridden: boolean;
}

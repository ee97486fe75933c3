import type { FieldViolation } from '@strata/service-runtime';
import { aliasNameProblem } from '../alias/alias';
import { type Role, ROLES } from '../auth/caller';
import type { GatePolicy, MetricRule } from './gate-policy';

/** A gate policy as the caller sent it, before validation. */
export interface GatePolicyDraft extends Omit<GatePolicy, 'allowedRoles'> {
  readonly allowedRoles: readonly string[];
}

const EVIDENCE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** More approvals than this is a typo, not a policy. */
export const MAX_REQUIRED_APPROVALS = 100;

/**
 * Every bad field of a policy for `alias` (paths relative to the request, e.g.
 * `policy.metric_rules[0].min`); empty when the policy is valid.
 */
export function gatePolicyViolations(alias: string, draft: GatePolicyDraft): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const bad = (field: string, description: string): void => {
    violations.push({ field: `policy.${field}`, description });
  };
  const seenRules = new Set<string>();
  draft.metricRules.forEach((rule, i) => {
    const key = `${rule.evidence ?? ''}/${rule.metric}`;
    if (seenRules.has(key)) bad(`metric_rules[${i}]`, `a second rule for metric ${rule.metric}${rule.evidence === undefined ? '' : ` of evidence ${rule.evidence}`}`);
    seenRules.add(key);
    checkMetricRule(rule, `metric_rules[${i}]`, bad);
  });
  uniqueNames(draft.requiredEvidence, 'required_evidence', bad, (name) => (EVIDENCE_NAME.test(name) ? undefined : `"${name}" is not a valid evidence name`));
  uniqueNames(draft.requiredPriorAliases, 'required_prior_aliases', bad, (name) =>
    name === alias ? `an alias cannot be its own prior alias ("${name}")` : aliasNameProblem(name),
  );
  if (draft.minTimeInPriorAliasMs !== undefined) {
    if (!(draft.minTimeInPriorAliasMs >= 0)) bad('min_time_in_prior_alias', 'must not be negative');
    else if (draft.requiredPriorAliases.length === 0) bad('min_time_in_prior_alias', 'needs required_prior_aliases');
  }
  uniqueNames(draft.allowedRoles, 'allowed_roles', bad, (role) => (ROLES.includes(role as Role) ? undefined : `unknown role "${role}" (one of ${ROLES.join(', ')})`));
  if (!Number.isInteger(draft.requiredApprovals) || draft.requiredApprovals < 0 || draft.requiredApprovals > MAX_REQUIRED_APPROVALS) {
    bad('required_approvals', `must be 0-${MAX_REQUIRED_APPROVALS}, got ${draft.requiredApprovals}`);
  }
  return violations;
}

/** The draft as a policy; call only when {@link gatePolicyViolations} found nothing. */
export function toGatePolicy(draft: GatePolicyDraft): GatePolicy {
  return { ...draft, allowedRoles: draft.allowedRoles.filter((role): role is Role => ROLES.includes(role as Role)) };
}

function checkMetricRule(rule: MetricRule, path: string, bad: (field: string, description: string) => void): void {
  if (rule.metric.trim() === '') bad(`${path}.metric`, 'required');
  if (rule.evidence !== undefined && !EVIDENCE_NAME.test(rule.evidence)) bad(`${path}.evidence`, `"${rule.evidence}" is not a valid evidence name`);
  for (const [field, value] of [['min', rule.min], ['max', rule.max], ['max_regression', rule.maxRegression]] as const) {
    if (value !== undefined && !Number.isFinite(value)) bad(`${path}.${field}`, `must be a finite number, got ${value}`);
  }
  if (rule.min === undefined && rule.max === undefined && rule.maxRegression === undefined) bad(path, 'sets none of min, max, max_regression');
  if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) bad(path, `min ${rule.min} > max ${rule.max}`);
  if (rule.maxRegression !== undefined && rule.maxRegression < 0) bad(`${path}.max_regression`, `must not be negative, got ${rule.maxRegression}`);
}

function uniqueNames(names: readonly string[], field: string, bad: (field: string, description: string) => void, problemOf: (name: string) => string | undefined): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const problem = seen.has(name) ? `"${name}" listed twice` : problemOf(name);
    if (problem !== undefined) bad(`${field}[${i}]`, problem);
    seen.add(name);
  });
}

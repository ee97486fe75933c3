import type { FieldViolation } from '@strata/service-runtime';
import { aliasNameProblem } from '../alias/alias';
import { DEFAULT_ALIAS, type TrafficPolicy } from './traffic-policy';

/**
 * Every bad field of a traffic policy (paths relative to the request): at least one split,
 * valid and distinct aliases, percentages 0-100 summing to 100, and a shadow alias (not one
 * of the splits) with a shadow percentage 1-100, or no shadow at all.
 */
export function trafficPolicyViolations(policy: TrafficPolicy | undefined): FieldViolation[] {
  if (policy === undefined) return [{ field: 'policy', description: 'required' }];
  const violations: FieldViolation[] = [];
  const bad = (field: string, description: string): void => {
    violations.push({ field: `policy.${field}`, description });
  };
  if (policy.splits.length === 0) bad('splits', 'at least one split is required');
  const seen = new Set<string>();
  policy.splits.forEach((split, i) => {
    const problem = seen.has(split.alias) ? `alias "${split.alias}" listed twice` : aliasNameProblem(split.alias);
    if (problem !== undefined) bad(`splits[${i}].alias`, problem);
    seen.add(split.alias);
    if (!Number.isInteger(split.percent) || split.percent < 0 || split.percent > 100) bad(`splits[${i}].percent`, `must be 0-100, got ${split.percent}`);
  });
  const total = policy.splits.reduce((sum, split) => sum + split.percent, 0);
  if (policy.splits.length > 0 && total !== 100) bad('splits', `percentages sum to ${total}, not 100`);
  if (policy.shadowAlias !== undefined) {
    const problem = seen.has(policy.shadowAlias) ? `"${policy.shadowAlias}" already receives live traffic in splits` : aliasNameProblem(policy.shadowAlias);
    if (problem !== undefined) bad('shadow_alias', problem);
    if (!Number.isInteger(policy.shadowPercent) || policy.shadowPercent < 1 || policy.shadowPercent > 100) {
      bad('shadow_percent', `must be 1-100 with a shadow alias, got ${policy.shadowPercent}`);
    }
  }
  return violations;
}

/** Every alias a policy routes to: its splits and its shadow. */
export function aliasesOf(policy: TrafficPolicy): string[] {
  return [...policy.splits.map((split) => split.alias), ...(policy.shadowAlias === undefined ? [] : [policy.shadowAlias])];
}

/**
 * The aliases besides {@link DEFAULT_ALIAS} that answer clients under a policy: splits with a
 * percentage above 0. A shadow only gets copies whose answers are discarded, so it is not one.
 */
export function liveAliasesOf(policy: TrafficPolicy): string[] {
  return policy.splits.filter((split) => split.percent > 0 && split.alias !== DEFAULT_ALIAS).map((split) => split.alias);
}

import { featureContractKey, type FeatureContractRef, type ServedFeatureSet } from '../feature-contracts/feature-contract';
import type { GateCheck, GateEvaluation, GatePolicy, MetricRule } from './gate-policy';

/** A piece of evidence as gates read it. */
export interface EvidenceRecord {
  readonly metrics: Readonly<Record<string, number>>;
  /** True when every test result passed. */
  readonly passed: boolean;
}

/** A version's metrics: recorded at registration, and per evidence name. */
export interface VersionMetrics {
  readonly version: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly evidence: ReadonlyMap<string, EvidenceRecord>;
}

/** One past move of an alias (from alias_history). */
export interface PastAliasMove {
  readonly alias: string;
  readonly toVersion: number;
  readonly at: Date;
}

/** Everything a gate decision reads, loaded in the promotion's transaction. */
export interface GateInputs {
  readonly candidate: VersionMetrics;
  /** The alias's current target; undefined when the alias does not exist yet. */
  readonly current?: VersionMetrics;
  /** Every move of each required prior alias, oldest first. */
  readonly priorAliasMoves: readonly PastAliasMove[];
  /** Distinct subjects that approved the candidate for this alias. */
  readonly approvers: readonly string[];
  /** Feature contracts in the candidate's lineage. */
  readonly featureContracts: readonly FeatureContractRef[];
  /** The feature service's answer, by featureContractKey; asked only when the policy requires it. */
  readonly servedFeatureSets?: ReadonlyMap<string, ServedFeatureSet>;
  readonly now: Date;
}

// Metric arithmetic is floating point: 0.84 - 0.82 must not count as worse than 0.02.
const EPSILON = 1e-9;

/**
 * Evaluates a gate policy against a candidate version: one check per rule, passed only when
 * every check passed. Pure: everything it reads is in {@link GateInputs}.
 */
export class GateEvaluator {
  evaluate(policy: GatePolicy, inputs: GateInputs): GateEvaluation {
    const checks: GateCheck[] = [];
    for (const rule of policy.metricRules) {
      if (rule.min !== undefined || rule.max !== undefined) checks.push(this.metricCheck(rule, inputs.candidate));
      if (rule.maxRegression !== undefined) checks.push(this.regressionCheck(rule, rule.maxRegression, inputs));
    }
    for (const name of policy.requiredEvidence) checks.push(this.evidenceCheck(name, inputs.candidate));
    for (const alias of policy.requiredPriorAliases) checks.push(this.priorAliasCheck(alias, policy.minTimeInPriorAliasMs, inputs));
    if (policy.requiredApprovals > 0) checks.push(this.approvalCheck(policy.requiredApprovals, inputs.approvers));
    if (policy.requireFeatureContractServed) checks.push(...this.featureContractChecks(inputs));
    return { passed: checks.every((check) => check.passed), checks, overridden: false };
  }

  private metricCheck(rule: MetricRule, candidate: VersionMetrics): GateCheck {
    const fail = (detail: string): GateCheck => ({ kind: 'metric', subject: rule.metric, passed: false, detail });
    const value = metricOf(candidate, rule);
    if (typeof value === 'string') return fail(value);
    if (rule.min !== undefined && value < rule.min) return fail(`${rule.metric} ${value} < min ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) return fail(`${rule.metric} ${value} > max ${rule.max}`);
    const bounds = [rule.min === undefined ? undefined : `>= min ${rule.min}`, rule.max === undefined ? undefined : `<= max ${rule.max}`];
    return { kind: 'metric', subject: rule.metric, passed: true, detail: `${rule.metric} ${value} ${bounds.filter(Boolean).join(' and ')}` };
  }

  private regressionCheck(rule: MetricRule, maxRegression: number, inputs: GateInputs): GateCheck {
    const check = (passed: boolean, detail: string): GateCheck => ({ kind: 'regression', subject: rule.metric, passed, detail });
    const value = metricOf(inputs.candidate, rule);
    if (typeof value === 'string') return check(false, value);
    if (inputs.current === undefined) return check(true, `the alias is new: no version to compare ${rule.metric} with`);
    const baseline = metricOf(inputs.current, rule);
    if (typeof baseline === 'string') return check(true, `current version ${inputs.current.version} has no ${rule.metric} to compare with`);
    const worseBy = rule.lowerIsBetter ? value - baseline : baseline - value;
    const comparison = `${rule.metric} ${value} vs ${baseline} of current version ${inputs.current.version}`;
    if (worseBy - maxRegression > EPSILON) return check(false, `${comparison}: worse by ${round(worseBy)} > max_regression ${maxRegression}`);
    return check(true, `${comparison}: ${worseBy > 0 ? `worse by ${round(worseBy)}` : 'not worse'}, max_regression ${maxRegression}`);
  }

  private evidenceCheck(name: string, candidate: VersionMetrics): GateCheck {
    const evidence = candidate.evidence.get(name);
    if (evidence === undefined) return { kind: 'evidence', subject: name, passed: false, detail: `evidence ${name} is not attached` };
    if (!evidence.passed) return { kind: 'evidence', subject: name, passed: false, detail: `evidence ${name} has failed tests` };
    return { kind: 'evidence', subject: name, passed: true, detail: `evidence ${name} attached and passed` };
  }

  private priorAliasCheck(alias: string, minTimeMs: number | undefined, inputs: GateInputs): GateCheck {
    const version = inputs.candidate.version;
    const moves = inputs.priorAliasMoves.filter((move) => move.alias === alias);
    let longestMs: number | undefined;
    moves.forEach((move, index) => {
      if (move.toVersion !== version) return;
      const until = moves[index + 1]?.at ?? inputs.now;
      longestMs = Math.max(longestMs ?? 0, until.getTime() - move.at.getTime());
    });
    const check = (passed: boolean, detail: string): GateCheck => ({ kind: 'prior_alias', subject: alias, passed, detail });
    if (longestMs === undefined) return check(false, `version ${version} has never been ${alias}`);
    if (minTimeMs !== undefined && longestMs < minTimeMs) {
      return check(false, `version ${version} was ${alias} for ${formatDuration(longestMs)} at most; needs ${formatDuration(minTimeMs)}`);
    }
    return check(true, `version ${version} was ${alias} for ${formatDuration(longestMs)}`);
  }

  private approvalCheck(required: number, approvers: readonly string[]): GateCheck {
    const distinct = [...new Set(approvers)].sort();
    const who = distinct.length === 0 ? 'none' : distinct.join(', ');
    return { kind: 'approval', subject: 'approvals', passed: distinct.length >= required, detail: `${distinct.length} of ${required} required approvals (${who})` };
  }

  private featureContractChecks(inputs: GateInputs): GateCheck[] {
    if (inputs.featureContracts.length === 0) {
      return [{ kind: 'feature_contract', subject: '', passed: true, detail: 'the version pins no feature contracts' }];
    }
    return inputs.featureContracts.map((ref) => {
      const subject = featureContractKey(ref);
      const check = (passed: boolean, detail: string): GateCheck => ({ kind: 'feature_contract', subject, passed, detail });
      const served = inputs.servedFeatureSets?.get(subject);
      if (served === undefined) return check(false, `feature set ${subject} was not checked`);
      if (!served.found) return check(false, `feature set ${subject} does not exist in the feature service`);
      if (ref.digest !== '' && served.contractDigest !== ref.digest) {
        return check(false, `feature set ${subject} has contract ${served.contractDigest}, the version was trained against ${ref.digest}`);
      }
      if (served.materializedUntil === undefined) return check(false, `feature set ${subject} has never been materialized`);
      return check(true, `feature set ${subject} is served (materialized until ${served.materializedUntil.toISOString()})`);
    });
  }
}

// The metric a rule reads, or why it cannot be read.
function metricOf(version: VersionMetrics, rule: MetricRule): number | string {
  if (rule.evidence === undefined) {
    const value = version.metrics[rule.metric];
    return value ?? `version ${version.version} has no metric ${rule.metric} recorded at registration`;
  }
  const evidence = version.evidence.get(rule.evidence);
  if (evidence === undefined) return `version ${version.version} has no evidence ${rule.evidence} (for ${rule.metric})`;
  return evidence.metrics[rule.metric] ?? `evidence ${rule.evidence} of version ${version.version} has no metric ${rule.metric}`;
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** `1d 2h`, `3h 5m`, `42s`: human-sized, for check details. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const units: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  const parts = units.filter(([value]) => value > 0).map(([value, unit]) => `${value}${unit}`);
  return parts.length === 0 ? `${ms}ms` : parts.slice(0, 2).join(' ');
}

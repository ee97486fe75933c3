import { EMPTY_GATE_POLICY } from './gate-policy';
import { type GatePolicyDraft, gatePolicyViolations, toGatePolicy } from './gate-policy-rules';

function draft(overrides: Partial<GatePolicyDraft>): GatePolicyDraft {
  return { ...EMPTY_GATE_POLICY, ...overrides };
}

describe(gatePolicyViolations.name, () => {
  it('accepts a complete, consistent policy', () => {
    const valid = draft({
      metricRules: [{ metric: 'auc', min: 0.7, max: 1, maxRegression: 0.02, lowerIsBetter: false }, { metric: 'auc', evidence: 'offline-eval', min: 0.7, lowerIsBetter: false }],
      requiredEvidence: ['offline-eval'],
      requiredPriorAliases: ['canary'],
      minTimeInPriorAliasMs: 3600_000,
      requireFeatureContractServed: true,
      allowedRoles: ['admin'],
      requiredApprovals: 2,
    });
    expect(gatePolicyViolations('production', valid)).toEqual([]);
    expect(toGatePolicy(valid).allowedRoles).toEqual(['admin']);
  });

  it('names every bad metric rule field', () => {
    const violations = gatePolicyViolations(
      'production',
      draft({
        metricRules: [
          { metric: 'auc', min: 0.9, max: 0.8, lowerIsBetter: false },
          { metric: '', maxRegression: -1, lowerIsBetter: false },
          { metric: 'f1', lowerIsBetter: false },
          { metric: 'auc', min: Number.NaN, max: 0.8, lowerIsBetter: false },
          { metric: 'recall', evidence: 'Bad Name', min: 0, lowerIsBetter: false },
        ],
      }),
    );
    expect(violations).toEqual([
      { field: 'policy.metric_rules[0]', description: 'min 0.9 > max 0.8' },
      { field: 'policy.metric_rules[1].metric', description: 'required' },
      { field: 'policy.metric_rules[1].max_regression', description: 'must not be negative, got -1' },
      { field: 'policy.metric_rules[2]', description: 'sets none of min, max, max_regression' },
      { field: 'policy.metric_rules[3]', description: 'a second rule for metric auc' },
      { field: 'policy.metric_rules[3].min', description: 'must be a finite number, got NaN' },
      { field: 'policy.metric_rules[4].evidence', description: '"Bad Name" is not a valid evidence name' },
    ]);
  });

  it('refuses the alias as its own prior alias, duplicates, unknown roles and out-of-range approvals', () => {
    const violations = gatePolicyViolations(
      'production',
      draft({ requiredPriorAliases: ['production', 'canary', 'canary'], requiredEvidence: ['eval', 'eval'], allowedRoles: ['root'], requiredApprovals: 1000 }),
    );
    expect(violations).toEqual([
      { field: 'policy.required_evidence[1]', description: '"eval" listed twice' },
      { field: 'policy.required_prior_aliases[0]', description: 'an alias cannot be its own prior alias ("production")' },
      { field: 'policy.required_prior_aliases[2]', description: '"canary" listed twice' },
      { field: 'policy.allowed_roles[0]', description: 'unknown role "root" (one of ci, admin)' },
      { field: 'policy.required_approvals', description: 'must be 0-100, got 1000' },
    ]);
  });

  it('needs prior aliases for a minimum time in them, and a non-negative time', () => {
    expect(gatePolicyViolations('production', draft({ minTimeInPriorAliasMs: 1000 }))).toEqual([{ field: 'policy.min_time_in_prior_alias', description: 'needs required_prior_aliases' }]);
    expect(gatePolicyViolations('production', draft({ requiredPriorAliases: ['canary'], minTimeInPriorAliasMs: -1 }))).toEqual([{ field: 'policy.min_time_in_prior_alias', description: 'must not be negative' }]);
  });
});

import { aliasesOf, liveAliasesOf, trafficPolicyViolations } from './traffic-policy-rules';

describe(trafficPolicyViolations.name, () => {
  it('accepts splits summing to 100 with an optional shadow', () => {
    expect(trafficPolicyViolations({ splits: [{ alias: 'production', percent: 90 }, { alias: 'canary', percent: 10 }], shadowAlias: 'shadow', shadowPercent: 5 })).toEqual([]);
    expect(trafficPolicyViolations({ splits: [{ alias: 'production', percent: 100 }, { alias: 'canary', percent: 0 }], shadowPercent: 0 })).toEqual([]);
  });

  it('names every bad field', () => {
    expect(trafficPolicyViolations({ splits: [{ alias: 'production', percent: 101 }, { alias: 'production', percent: 0 }, { alias: 'Bad!', percent: 2.5 }], shadowPercent: 0 })).toEqual([
      { field: 'policy.splits[0].percent', description: 'must be 0-100, got 101' },
      { field: 'policy.splits[1].alias', description: 'alias "production" listed twice' },
      { field: 'policy.splits[2].alias', description: '"Bad!" is not a valid alias name (^[a-z][a-z0-9-]{0,31}$)' },
      { field: 'policy.splits[2].percent', description: 'must be 0-100, got 2.5' },
      { field: 'policy.splits', description: 'percentages sum to 103.5, not 100' },
    ]);
  });

  it('needs a policy, at least one split, and a shadow that is not a split alias with 1-100 percent', () => {
    expect(trafficPolicyViolations(undefined)).toEqual([{ field: 'policy', description: 'required' }]);
    expect(trafficPolicyViolations({ splits: [], shadowPercent: 0 })).toEqual([{ field: 'policy.splits', description: 'at least one split is required' }]);
    expect(trafficPolicyViolations({ splits: [{ alias: 'production', percent: 100 }], shadowAlias: 'production', shadowPercent: 101 })).toEqual([
      { field: 'policy.shadow_alias', description: '"production" already receives live traffic in splits' },
      { field: 'policy.shadow_percent', description: 'must be 1-100 with a shadow alias, got 101' },
    ]);
  });

  it('lists the aliases a policy routes to, shadow included', () => {
    expect(aliasesOf({ splits: [{ alias: 'production', percent: 100 }], shadowAlias: 'shadow', shadowPercent: 1 })).toEqual(['production', 'shadow']);
  });

  it('lists the aliases besides production that answer clients: splits above 0%, never the shadow', () => {
    expect(liveAliasesOf({ splits: [{ alias: 'production', percent: 90 }, { alias: 'canary', percent: 10 }, { alias: 'blue', percent: 0 }], shadowAlias: 'shadow', shadowPercent: 50 })).toEqual(['canary']);
    expect(liveAliasesOf({ splits: [{ alias: 'production', percent: 100 }], shadowPercent: 0 })).toEqual([]);
  });
});

import type { ServedFeatureSet } from '../feature-contracts/feature-contract';
import { type EvidenceRecord, formatDuration, GateEvaluator, type GateInputs, type VersionMetrics } from './gate-evaluator';
import { EMPTY_GATE_POLICY, type GatePolicy, type MetricRule } from './gate-policy';

const NOW = new Date('2026-11-28T12:00:00Z');
const HOUR = 3600_000;

function aVersion(overrides: Partial<VersionMetrics> & { evidence?: ReadonlyMap<string, EvidenceRecord> } = {}): VersionMetrics {
  return { version: 4, metrics: { auc: 0.8, logloss: 0.4 }, evidence: new Map(), ...overrides };
}

function inputs(overrides: Partial<GateInputs> = {}): GateInputs {
  return { candidate: aVersion(), priorAliasMoves: [], approvers: [], featureContracts: [], now: NOW, ...overrides };
}

function policy(overrides: Partial<GatePolicy>): GatePolicy {
  return { ...EMPTY_GATE_POLICY, ...overrides };
}

function rule(overrides: Partial<MetricRule>): MetricRule {
  return { metric: 'auc', lowerIsBetter: false, ...overrides };
}

describe(GateEvaluator.name, () => {
  const evaluator = new GateEvaluator();
  const checksOf = (p: Partial<GatePolicy>, i: Partial<GateInputs> = {}) => evaluator.evaluate(policy(p), inputs(i)).checks;

  it('passes an empty policy with no checks', () => {
    expect(evaluator.evaluate(EMPTY_GATE_POLICY, inputs())).toEqual({ passed: true, checks: [], overridden: false });
  });

  describe('metric rules', () => {
    it('checks min and max inclusively', () => {
      expect(checksOf({ metricRules: [rule({ min: 0.8, max: 0.8 })] })).toEqual([{ kind: 'metric', subject: 'auc', passed: true, detail: 'auc 0.8 >= min 0.8 and <= max 0.8' }]);
      expect(checksOf({ metricRules: [rule({ min: 0.81 })] })).toEqual([{ kind: 'metric', subject: 'auc', passed: false, detail: 'auc 0.8 < min 0.81' }]);
      expect(checksOf({ metricRules: [rule({ metric: 'logloss', max: 0.3 })] })[0]).toMatchObject({ passed: false, detail: 'logloss 0.4 > max 0.3' });
    });

    it('fails a missing metric, a missing evidence and a metric missing in the evidence', () => {
      const candidate = aVersion({ evidence: new Map([['offline-eval', { metrics: { precision: 0.9 }, passed: true }]]) });
      expect(checksOf({ metricRules: [rule({ metric: 'f1', min: 0.5 })] }, { candidate })[0]).toMatchObject({ passed: false, detail: 'version 4 has no metric f1 recorded at registration' });
      expect(checksOf({ metricRules: [rule({ evidence: 'bias', min: 0.5 })] }, { candidate })[0]).toMatchObject({ passed: false, detail: 'version 4 has no evidence bias (for auc)' });
      expect(checksOf({ metricRules: [rule({ evidence: 'offline-eval', min: 0.5 })] }, { candidate })[0]).toMatchObject({ passed: false, detail: 'evidence offline-eval of version 4 has no metric auc' });
      expect(checksOf({ metricRules: [rule({ metric: 'precision', evidence: 'offline-eval', min: 0.85 })] }, { candidate })[0]).toMatchObject({ passed: true });
    });

    it('emits only a regression check for a rule with max_regression alone', () => {
      expect(checksOf({ metricRules: [rule({ maxRegression: 0.1 })] }).map((c) => c.kind)).toEqual(['regression']);
      expect(checksOf({ metricRules: [rule({ min: 0.1, maxRegression: 0.1 })] }).map((c) => c.kind)).toEqual(['metric', 'regression']);
    });
  });

  describe('regression against the alias\'s current version', () => {
    const current = aVersion({ version: 3, metrics: { auc: 0.84, logloss: 0.35 } });

    it('allows a worsening up to max_regression, at the boundary despite floating point', () => {
      const candidate = aVersion({ metrics: { auc: 0.82, logloss: 0.4 } });
      expect(checksOf({ metricRules: [rule({ maxRegression: 0.02 })] }, { candidate, current })[0]).toMatchObject({ passed: true, detail: 'auc 0.82 vs 0.84 of current version 3: worse by 0.02, max_regression 0.02' });
      expect(checksOf({ metricRules: [rule({ maxRegression: 0.01 })] }, { candidate, current })[0]).toMatchObject({ passed: false, detail: 'auc 0.82 vs 0.84 of current version 3: worse by 0.02 > max_regression 0.01' });
    });

    it('treats higher as worse when lower_is_better', () => {
      const candidate = aVersion({ metrics: { logloss: 0.4 } });
      expect(checksOf({ metricRules: [rule({ metric: 'logloss', maxRegression: 0.04, lowerIsBetter: true })] }, { candidate, current })[0]).toMatchObject({ passed: false });
      expect(checksOf({ metricRules: [rule({ metric: 'logloss', maxRegression: 0.05, lowerIsBetter: true })] }, { candidate, current })[0]).toMatchObject({ passed: true });
      expect(checksOf({ metricRules: [rule({ metric: 'logloss', maxRegression: 0, lowerIsBetter: true })] }, { candidate: aVersion({ metrics: { logloss: 0.3 } }), current })[0]).toMatchObject({
        passed: true,
        detail: expect.stringContaining('not worse'),
      });
    });

    it('passes when the alias is new or its version lacks the metric; fails when the candidate lacks it', () => {
      expect(checksOf({ metricRules: [rule({ maxRegression: 0 })] })[0]).toMatchObject({ passed: true, detail: 'the alias is new: no version to compare auc with' });
      expect(checksOf({ metricRules: [rule({ maxRegression: 0 })] }, { current: aVersion({ version: 3, metrics: {} }) })[0]).toMatchObject({ passed: true, detail: 'current version 3 has no auc to compare with' });
      expect(checksOf({ metricRules: [rule({ maxRegression: 0 })] }, { candidate: aVersion({ metrics: {} }), current })[0]).toMatchObject({ passed: false });
    });

    it('compares evidence metrics with the same evidence of the current version', () => {
      const withEval = (precision: number, version: number) => aVersion({ version, evidence: new Map([['eval', { metrics: { precision }, passed: true }]]) });
      const checks = checksOf({ metricRules: [rule({ metric: 'precision', evidence: 'eval', maxRegression: 0.01 })] }, { candidate: withEval(0.9, 4), current: withEval(0.95, 3) });
      expect(checks[0]).toMatchObject({ kind: 'regression', passed: false, detail: expect.stringContaining('precision 0.9 vs 0.95') });
    });
  });

  it('requires evidence to be attached and passed', () => {
    const candidate = aVersion({ evidence: new Map([['offline-eval', { metrics: {}, passed: true }], ['bias-check', { metrics: {}, passed: false }]]) });
    expect(checksOf({ requiredEvidence: ['offline-eval', 'bias-check', 'load-test'] }, { candidate })).toEqual([
      { kind: 'evidence', subject: 'offline-eval', passed: true, detail: 'evidence offline-eval attached and passed' },
      { kind: 'evidence', subject: 'bias-check', passed: false, detail: 'evidence bias-check has failed tests' },
      { kind: 'evidence', subject: 'load-test', passed: false, detail: 'evidence load-test is not attached' },
    ]);
  });

  describe('prior aliases', () => {
    const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR);

    it('needs the version to have held the alias, for the minimum continuous time when one is set', () => {
      const moves = [
        { alias: 'canary', toVersion: 4, at: at(30) },
        { alias: 'canary', toVersion: 3, at: at(29) },
        { alias: 'canary', toVersion: 4, at: at(5) },
      ];
      expect(checksOf({ requiredPriorAliases: ['canary'] }, { priorAliasMoves: moves })[0]).toMatchObject({ passed: true, detail: 'version 4 was canary for 5h' });
      expect(checksOf({ requiredPriorAliases: ['canary'], minTimeInPriorAliasMs: 6 * HOUR }, { priorAliasMoves: moves })[0]).toMatchObject({
        passed: false,
        detail: 'version 4 was canary for 5h at most; needs 6h',
      });
      expect(checksOf({ requiredPriorAliases: ['canary'], minTimeInPriorAliasMs: HOUR }, { priorAliasMoves: moves.slice(0, 2) })[0]).toMatchObject({ passed: true, detail: 'version 4 was canary for 1h' });
    });

    it('fails a version that never held the alias, whatever other aliases did', () => {
      const moves = [{ alias: 'staging', toVersion: 4, at: at(50) }, { alias: 'canary', toVersion: 3, at: at(50) }];
      expect(checksOf({ requiredPriorAliases: ['canary'] }, { priorAliasMoves: moves })[0]).toMatchObject({ passed: false, detail: 'version 4 has never been canary' });
    });
  });

  it('counts distinct approvers', () => {
    expect(checksOf({ requiredApprovals: 2 }, { approvers: ['bob', 'alice', 'bob'] })).toEqual([{ kind: 'approval', subject: 'approvals', passed: true, detail: '2 of 2 required approvals (alice, bob)' }]);
    expect(checksOf({ requiredApprovals: 1 })).toEqual([{ kind: 'approval', subject: 'approvals', passed: false, detail: '0 of 1 required approvals (none)' }]);
  });

  describe('feature contracts', () => {
    const served = (entries: [string, ServedFeatureSet][]) => new Map(entries);
    const digest = `sha256:${'a'.repeat(64)}`;

    it('needs every pinned contract to exist with the same digest and be materialized', () => {
      const featureContracts = [
        { featureSet: 'ok', version: 1, digest },
        { featureSet: 'unknown-digest', version: 1, digest: '' },
        { featureSet: 'changed', version: 2, digest },
        { featureSet: 'cold', version: 1, digest },
        { featureSet: 'gone', version: 1, digest },
      ];
      const answers = served([
        ['ok:1', { found: true, contractDigest: digest, materializedUntil: NOW }],
        ['unknown-digest:1', { found: true, contractDigest: 'sha256:other', materializedUntil: NOW }],
        ['changed:2', { found: true, contractDigest: 'sha256:other', materializedUntil: NOW }],
        ['cold:1', { found: true, contractDigest: digest }],
        ['gone:1', { found: false, contractDigest: '' }],
      ]);
      expect(checksOf({ requireFeatureContractServed: true }, { featureContracts, servedFeatureSets: answers }).map((c) => [c.subject, c.passed])).toEqual([
        ['ok:1', true],
        ['unknown-digest:1', true],
        ['changed:2', false],
        ['cold:1', false],
        ['gone:1', false],
      ]);
    });

    it('passes a version that pins no contracts, and fails a contract the feature service was not asked about', () => {
      expect(checksOf({ requireFeatureContractServed: true })).toEqual([{ kind: 'feature_contract', subject: '', passed: true, detail: 'the version pins no feature contracts' }]);
      expect(checksOf({ requireFeatureContractServed: true }, { featureContracts: [{ featureSet: 'x', version: 1, digest: '' }] })[0]).toMatchObject({ passed: false, detail: 'feature set x:1 was not checked' });
    });
  });

  it('fails the whole evaluation when any check fails, listing every check in rule order', () => {
    const evaluation = evaluator.evaluate(policy({ metricRules: [rule({ min: 0.9 })], requiredEvidence: ['eval'], requiredApprovals: 1 }), inputs({ approvers: ['alice'] }));
    expect(evaluation.passed).toBe(false);
    expect(evaluation.checks.map((c) => [c.kind, c.passed])).toEqual([
      ['metric', false],
      ['evidence', false],
      ['approval', true],
    ]);
  });

  it('formats durations for humans', () => {
    expect([formatDuration(500), formatDuration(42_000), formatDuration(3 * HOUR + 5 * 60_000 + 7000), formatDuration(26 * HOUR)]).toEqual(['500ms', '42s', '3h 5m', '1d 2h']);
  });
});

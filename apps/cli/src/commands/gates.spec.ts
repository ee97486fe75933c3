import { UsageError } from '../errors';
import { gatePolicy, metricRules, parseMetricBound } from './gates';

describe('gate rule parsing', () => {
  it('reads >= as a minimum and <= as a maximum', () => {
    expect(parseMetricBound('auc>=0.7')).toEqual({ evidence: '', metric: 'auc', min: 0.7 });
    expect(parseMetricBound('logloss <= 0.5')).toEqual({ evidence: '', metric: 'logloss', max: 0.5 });
    expect(parseMetricBound('offline-eval:auc>=0.75')).toEqual({ evidence: 'offline-eval', metric: 'auc', min: 0.75 });
  });

  it('refuses strict and equality comparisons, which the contract cannot express', () => {
    expect(() => parseMetricBound('auc>0.7')).toThrow(/only >= and <=/);
    expect(() => parseMetricBound('auc=0.7')).toThrow(/only >= and <=/);
    expect(() => parseMetricBound('auc>=high')).toThrow(/expected a number/);
    expect(() => parseMetricBound('auc')).toThrow(UsageError);
  });

  it('merges bounds, regression and direction of one metric into one rule', () => {
    expect(
      metricRules({
        metric: ['auc>=0.7', 'auc<=0.999', 'logloss<=0.5'],
        maxRegression: ['auc=0.01', 'logloss=0.02'],
        lowerIsBetter: ['logloss'],
      }),
    ).toEqual([
      { metric: 'auc', evidence: '', min: 0.7, max: 0.999, maxRegression: 0.01, lowerIsBetter: false },
      { metric: 'logloss', evidence: '', max: 0.5, maxRegression: 0.02, lowerIsBetter: true },
    ]);
  });

  it('keeps a metric read from evidence apart from the registration metric of the same name', () => {
    expect(metricRules({ metric: ['auc>=0.7', 'offline-eval:auc>=0.8'] })).toHaveLength(2);
  });

  it('refuses two lower bounds for one metric and a direction without a regression rule', () => {
    expect(() => metricRules({ metric: ['auc>=0.7', 'auc>=0.8'] })).toThrow(/two >= bounds for auc/);
    expect(() => metricRules({ metric: ['auc>=0.7'], lowerIsBetter: ['auc'] })).toThrow(/only applies to a metric with --max-regression/);
  });

  it('builds the whole policy from the flags of `gates set`', () => {
    expect(
      gatePolicy({
        metric: ['auc>=0.7'],
        requireEvidence: ['offline-eval'],
        requirePriorAlias: ['canary'],
        minTimeInPriorAlias: '1.5s',
        requiredApprovals: '1',
        allowedRoles: ['admin'],
        requireFeatureContract: true,
        reason: 'r',
      }),
    ).toEqual({
      metricRules: [{ metric: 'auc', evidence: '', min: 0.7, lowerIsBetter: false }],
      requiredEvidence: ['offline-eval'],
      requiredPriorAliases: ['canary'],
      minTimeInPriorAlias: { seconds: '1', nanos: 500_000_000 },
      requireFeatureContractServed: true,
      allowedRoles: ['admin'],
      requiredApprovals: 1,
    });
  });

  it('removes a gate only when asked with --clear', () => {
    expect(() => gatePolicy({ reason: 'r' })).toThrow(/no rules given/);
    expect(gatePolicy({ clear: true, reason: 'r' }).metricRules).toEqual([]);
    expect(() => gatePolicy({ clear: true, metric: ['auc>=0.7'], reason: 'r' })).toThrow(/cannot be combined/);
  });
});

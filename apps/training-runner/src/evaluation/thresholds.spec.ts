import { checkThresholds } from './thresholds';

describe(checkThresholds.name, () => {
  it('passes when every value is within its bounds', () => {
    const check = checkThresholds([{ metric: 'auc', min: 0.7 }, { metric: 'log_loss', max: 0.5 }, { metric: 'accuracy', min: 0.6, max: 0.6 }], { auc: 0.71, log_loss: 0.5, accuracy: 0.6 });
    expect(check.passed).toBe(true);
    expect(check.results.map((result) => result.passed)).toEqual([true, true, true]);
    expect(check.results[0]).toEqual({ threshold: { metric: 'auc', min: 0.7 }, value: 0.71, passed: true });
  });

  it('fails when one value is out of bounds', () => {
    const check = checkThresholds([{ metric: 'auc', min: 0.7 }, { metric: 'log_loss', max: 0.4 }], { auc: 0.8, log_loss: 0.41 });
    expect(check.passed).toBe(false);
    expect(check.results[1]).toEqual({ threshold: { metric: 'log_loss', max: 0.4 }, value: 0.41, passed: false });
  });

  it('fails without a value when the metric was not computed', () => {
    const check = checkThresholds([{ metric: 'auc', min: 0.5 }], { log_loss: 0.3 });
    expect(check).toEqual({ passed: false, results: [{ threshold: { metric: 'auc', min: 0.5 }, passed: false }] });
  });

  it('passes when there are no thresholds', () => {
    expect(checkThresholds([], {})).toEqual({ passed: true, results: [] });
  });
});

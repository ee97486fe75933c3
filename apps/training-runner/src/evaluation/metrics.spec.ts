import { auc, computeMetrics, DEFAULT_METRICS, KNOWN_METRICS, logLoss, unknownMetrics } from './metrics';

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);

describe('auc', () => {
  it('scores 0.75 when one of four positive/negative pairs is ranked wrong', () => {
    // Pairs (positive, negative): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, 0.1) ok, (0.8, 0.4) ok.
    expect(auc(f64([0, 0, 1, 1]), f64([0.1, 0.4, 0.35, 0.8]))).toBeCloseTo(0.75, 12);
  });

  it('counts a tied positive/negative pair as half when scores tie', () => {
    // Pairs: (0.5, 0.5) tie = 0.5, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1 -> 3.5 / 4.
    expect(auc(f64([0, 1, 0, 1]), f64([0.5, 0.5, 0.2, 0.9]))).toBeCloseTo(0.875, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 for a constant score', () => {
    const y = f64([0, 0, 0, 1, 1]);
    expect(auc(y, f64([0.1, 0.2, 0.3, 0.4, 0.5]))).toBe(1);
    expect(auc(y, f64([0.5, 0.4, 0.3, 0.2, 0.1]))).toBe(0);
    expect(auc(y, f64([0.3, 0.3, 0.3, 0.3, 0.3]))).toBe(0.5);
  });

  it('is undefined when only one class is present or a score is NaN', () => {
    expect(auc(f64([1, 1]), f64([0.2, 0.7]))).toBeUndefined();
    expect(auc(f64([0, 1]), f64([Number.NaN, 0.7]))).toBeUndefined();
  });
});

describe('logLoss', () => {
  it('averages the cross-entropy of each row', () => {
    expect(logLoss(f64([1, 0]), f64([0.8, 0.3]))).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(logLoss(f64([1, 0]), f64([0.8, 0.3]))).toBeCloseTo(0.289909245, 8);
  });

  it('clips probabilities to 1e-15 when a prediction is certain and wrong', () => {
    expect(logLoss(f64([1]), f64([0]))).toBeCloseTo(-Math.log(1e-15), 10);
    // 1 - (1 - 1e-15) is 1.11e-15 in binary floating point, hence 34.5396 rather than 34.5388.
    expect(logLoss(f64([0]), f64([1]))).toBeCloseTo(-Math.log(1 - (1 - 1e-15)), 10);
  });
});

describe(computeMetrics.name, () => {
  it('computes the threshold metrics at 0.5 when the task is binary', () => {
    // Decisions at >= 0.5: TP (0.9), FN (0.4), FP (0.6), TN (0.1), TP (0.5) -> TP 2, FP 1, TN 1, FN 1.
    const metrics = computeMetrics('binary', ['accuracy', 'precision', 'recall', 'f1'], f64([1, 1, 0, 0, 1]), f64([0.9, 0.4, 0.6, 0.1, 0.5]));
    expect(metrics['accuracy']).toBeCloseTo(0.6, 12);
    expect(metrics['precision']).toBeCloseTo(2 / 3, 12);
    expect(metrics['recall']).toBeCloseTo(2 / 3, 12);
    expect(metrics['f1']).toBeCloseTo(2 / 3, 12);
  });

  it('uses the task defaults when no names are given', () => {
    const metrics = computeMetrics('binary', [], f64([0, 1, 1, 0]), f64([0.2, 0.9, 0.6, 0.4]));
    expect(Object.keys(metrics)).toEqual(DEFAULT_METRICS.binary);
    expect(metrics['auc']).toBe(1);
    expect(metrics['accuracy']).toBe(1);
  });

  it('leaves out metrics that cannot be computed when the test split has one class', () => {
    const metrics = computeMetrics('binary', ['auc', 'log_loss', 'precision', 'recall'], f64([0, 0, 0]), f64([0.1, 0.2, 0.3]));
    expect(Object.keys(metrics).sort()).toEqual(['log_loss']);
  });

  it('computes rmse, mae and r2 when the task is regression', () => {
    // Residuals 0, 0, 0, 1: SS_res 1; mean 2.5 -> SS_tot 2.25 + 0.25 + 0.25 + 2.25 = 5.
    const metrics = computeMetrics('regression', [], f64([1, 2, 3, 4]), f64([1, 2, 3, 5]));
    expect(metrics).toEqual({ rmse: 0.5, mae: 0.25, r2: 0.8 });
  });

  it('leaves out r2 when the labels are constant', () => {
    expect(computeMetrics('regression', ['r2', 'mae'], f64([2, 2]), f64([1, 3]))).toEqual({ mae: 1 });
  });

  it('reads row-major class probabilities when the task is multiclass', () => {
    const probabilities = f64([0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.5, 0.4, 0.1]);
    const metrics = computeMetrics('multiclass', [], f64([0, 2, 1]), probabilities, 3);
    // argmax per row 0, 2, 0 against labels 0, 2, 1; log loss of p = 0.7, 0.6, 0.4.
    expect(metrics['accuracy']).toBeCloseTo(2 / 3, 12);
    expect(metrics['log_loss']).toBeCloseTo(-(Math.log(0.7) + Math.log(0.6) + Math.log(0.4)) / 3, 12);
    expect(metrics['log_loss']).toBeCloseTo(0.5945971, 6);
  });

  it('throws when a metric name is unknown for the task', () => {
    expect(() => computeMetrics('regression', ['auc'], f64([1]), f64([1]))).toThrow('unknown regression metric(s): auc');
  });

  it('throws when the prediction count does not match the rows', () => {
    expect(() => computeMetrics('binary', [], f64([1, 0]), f64([0.5]))).toThrow(RangeError);
    expect(() => computeMetrics('multiclass', [], f64([1, 0]), f64([0.5, 0.5]), 3)).toThrow(RangeError);
    expect(() => computeMetrics('multiclass', [], f64([1, 0]), f64([0.5, 0.5]))).toThrow('classes >= 2');
  });
});

describe(unknownMetrics.name, () => {
  it('lists the names the task does not know', () => {
    expect(unknownMetrics('multiclass', ['accuracy', 'auc', 'rmse'])).toEqual(['auc', 'rmse']);
    expect(unknownMetrics('binary', [...KNOWN_METRICS.binary])).toEqual([]);
  });
});

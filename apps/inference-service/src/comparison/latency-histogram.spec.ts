import { seededRandom } from '@strata/testing';

import { LatencyHistogram, MAX_TRACKED_LATENCY_US } from './latency-histogram';

function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

describe(LatencyHistogram.name, () => {
  it('answers undefined quantiles and zero count when empty', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.count).toBe(0);
    expect(histogram.quantile(0.5)).toBeUndefined();
    expect(histogram.min).toBeUndefined();
    expect(histogram.mean).toBeUndefined();
  });

  it('is exact for values below 64 µs', () => {
    const histogram = new LatencyHistogram();
    for (let us = 1; us <= 50; us++) histogram.record(us);
    expect(histogram.count).toBe(50);
    expect(histogram.quantile(0.5)).toBe(25);
    expect(histogram.quantile(0.99)).toBe(50);
    expect(histogram.quantile(0)).toBe(1);
    expect(histogram.quantile(1)).toBe(50);
    expect(histogram.mean).toBe(25.5);
  });

  it('keeps quantiles within 1/64 of the exact value over a wide seeded spread', () => {
    const random = seededRandom(42);
    const histogram = new LatencyHistogram();
    const values: number[] = [];
    for (let index = 0; index < 20_000; index++) {
      // log-uniform from 10 µs to 10 s
      const value = Math.round(10 * 10 ** (random() * 6));
      values.push(value);
      histogram.record(value);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.99, 0.999]) {
      const exact = exactQuantile(values, q);
      const estimate = histogram.quantile(q) as number;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(1 / 64);
    }
    expect(histogram.min).toBe(values[0]);
    expect(histogram.max).toBe(values[values.length - 1]);
  });

  it('never answers outside the recorded min and max', () => {
    const histogram = new LatencyHistogram();
    histogram.record(1_000_001);
    expect(histogram.quantile(0.5)).toBe(1_000_001);
    expect(histogram.quantile(0.99)).toBe(1_000_001);
  });

  it('records negative, non-finite and fractional values without throwing', () => {
    const histogram = new LatencyHistogram();
    histogram.record(-5);
    histogram.record(Number.NaN);
    histogram.record(2.6);
    histogram.record(Number.POSITIVE_INFINITY);
    histogram.record(1e15);
    expect(histogram.count).toBe(5);
    expect(histogram.min).toBe(0);
    expect(histogram.quantile(0.6)).toBe(3);
    expect(histogram.max).toBe(MAX_TRACKED_LATENCY_US);
  });

  it('rejects a quantile outside [0, 1] naming the expectation', () => {
    const histogram = new LatencyHistogram();
    expect(() => histogram.quantile(1.5)).toThrow('quantile q is 1.5, expected a number in [0, 1]');
    expect(() => histogram.quantile(Number.NaN)).toThrow(RangeError);
  });

  it('forgets everything on reset', () => {
    const histogram = new LatencyHistogram();
    histogram.record(100);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.quantile(0.5)).toBeUndefined();
    histogram.record(7);
    expect(histogram.quantile(0.5)).toBe(7);
  });
});

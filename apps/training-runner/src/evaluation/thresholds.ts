/** A bound on one metric (MetricThreshold of training.proto): the value must be >= min and <= max where set. */
export interface MetricThreshold {
  readonly metric: string;
  readonly min?: number;
  readonly max?: number;
}

/** One checked threshold; `value` is absent when the metric could not be computed. */
export interface ThresholdResult {
  readonly threshold: MetricThreshold;
  readonly value?: number;
  readonly passed: boolean;
}

/** The evaluation verdict: passed when every threshold passed (also when there are none). */
export interface ThresholdCheck {
  readonly passed: boolean;
  readonly results: readonly ThresholdResult[];
}

/** Checks each threshold against the measured metrics; a metric with no (or a NaN) value fails its threshold. */
export function checkThresholds(thresholds: readonly MetricThreshold[], metrics: Readonly<Record<string, number>>): ThresholdCheck {
  const results = thresholds.map((threshold): ThresholdResult => {
    const value = Object.hasOwn(metrics, threshold.metric) ? metrics[threshold.metric] : undefined;
    if (value === undefined || Number.isNaN(value)) return { threshold, passed: false };
    const passed = (threshold.min === undefined || value >= threshold.min) && (threshold.max === undefined || value <= threshold.max);
    return { threshold, value, passed };
  });
  return { passed: results.every((result) => result.passed), results };
}

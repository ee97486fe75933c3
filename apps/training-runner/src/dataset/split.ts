import { type SplitPlan } from '../jobs/training-job';
import { seededRandom, shuffledIndices } from '../trainers/shared/random';

/** Row indices of each split. */
export interface SplitIndices {
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
  readonly test: Uint32Array;
}

/**
 * Splits rows by time (train before validation_start, validation before test_start, test
 * after: no row of a later split is older than a row of an earlier one, so nothing leaks from
 * the future) or by a seeded random permutation. Index order within a split is the row order
 * (time) or the permutation order (random), so the same seed gives the same split.
 */
export function splitRows(timestamps: Float64Array, plan: SplitPlan, seed: number): SplitIndices {
  const n = timestamps.length;
  if (plan.kind === 'time') {
    const train: number[] = [];
    const validation: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const t = timestamps[i] as number;
      if (t >= plan.testStart) test.push(i);
      else if (plan.validationStart !== undefined && t >= plan.validationStart) validation.push(i);
      else train.push(i);
    }
    return { train: Uint32Array.from(train), validation: Uint32Array.from(validation), test: Uint32Array.from(test) };
  }
  // The split has its own stream, derived from the seed, so it does not depend on what trainers draw.
  const order = shuffledIndices(n, seededRandom((seed ^ 0x5eed5917) >>> 0));
  const testCount = Math.round(n * plan.testFraction);
  const validationCount = Math.round(n * plan.validationFraction);
  return {
    test: order.slice(0, testCount).sort(),
    validation: order.slice(testCount, testCount + validationCount).sort(),
    train: order.slice(testCount + validationCount).sort(),
  };
}

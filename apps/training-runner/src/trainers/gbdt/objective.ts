// Module-level aliases: inside Jest's vm sandbox every `Math.x` in a hot loop is a slow global lookup.
const { exp, log, max, min } = Math;

/** Probabilities are clipped to [EPSILON, 1 − EPSILON] inside logs (one confident miss costs ~34.5, not Infinity). */
const EPSILON = 1e-15;
/** The base rate is clipped this far from 0 and 1 so a one-class training split still has a finite log-odds. */
const BASE_RATE_EPSILON = 1e-6;
/** Floor of a logloss hessian p(1 − p), so confident rows keep a positive weight. */
const MIN_HESSIAN = 1e-16;

/** A differentiable loss on raw scores (the sum of the base score and the trees' values). */
export interface GbdtObjective {
  /** The constant raw score that minimizes the loss on `y`, before rounding to float32. */
  baseScore(y: Float64Array): number;
  /** Writes the first and second derivatives of the loss at `scores` and returns the mean loss there (one pass for both). */
  gradients(y: Float64Array, scores: Float64Array, gradients: Float64Array, hessians: Float64Array): number;
  /** Mean loss at `scores`: logloss or mean squared error. */
  loss(y: Float64Array, scores: Float64Array): number;
}

/** The logistic function. */
export function sigmoid(score: number): number {
  return 1 / (1 + exp(-score));
}

/** Binary logloss on log-odds scores; labels are 0 or 1. */
export const BINARY_LOGLOSS: GbdtObjective = {
  baseScore(y) {
    const rate = Math.min(1 - BASE_RATE_EPSILON, Math.max(BASE_RATE_EPSILON, mean(y)));
    return Math.log(rate / (1 - rate));
  },
  gradients(y, scores, gradients, hessians) {
    let total = 0;
    for (let i = 0; i < y.length; i += 1) {
      const p = sigmoid(scores[i]);
      gradients[i] = p - y[i];
      hessians[i] = max(MIN_HESSIAN, p * (1 - p));
      total += logLoss(y[i], p);
    }
    return total / y.length;
  },
  loss(y, scores) {
    let total = 0;
    for (let i = 0; i < y.length; i += 1) total += logLoss(y[i], sigmoid(scores[i]));
    return total / y.length;
  },
};

/** Squared error on raw predictions (gradients of half of it, so the hessian is 1; the reported loss is the MSE). */
export const SQUARED_ERROR: GbdtObjective = {
  baseScore: mean,
  gradients(y, scores, gradients, hessians) {
    let total = 0;
    for (let i = 0; i < y.length; i += 1) {
      const error = scores[i] - y[i];
      gradients[i] = error;
      hessians[i] = 1;
      total += error * error;
    }
    return total / y.length;
  },
  loss(y, scores) {
    let total = 0;
    for (let i = 0; i < y.length; i += 1) {
      const error = scores[i] - y[i];
      total += error * error;
    }
    return total / y.length;
  },
};

function logLoss(label: number, p: number): number {
  const clipped = min(1 - EPSILON, max(EPSILON, p));
  return label === 1 ? -log(clipped) : -log(1 - clipped);
}

function mean(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i += 1) total += values[i];
  return values.length === 0 ? 0 : total / values.length;
}

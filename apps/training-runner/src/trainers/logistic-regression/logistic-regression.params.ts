import { InvalidParamsError } from '../shared/trainer';

/** Hyper-parameters of {@link LogisticRegressionTrainer} (training.proto `LogisticRegressionParams`). */
export interface LogisticRegressionParams {
  /** Gradient-descent step size on standardized features. Default 0.1. */
  readonly learningRate: number;
  /** Maximum iterations (epochs). Default 200. */
  readonly maxIterations: number;
  /** L2 penalty `l2 / 2 · ‖w‖²` on the standardized-feature weights (not the bias). Default 0. */
  readonly l2: number;
  /** Stop when the objective improves by less than this between iterations. Default 1e-6. */
  readonly tolerance: number;
  /** Mini-batch rows; 0 = full batch. Default 0. */
  readonly batchSize: number;
}

/** The documented defaults (a zero or absent field means these). */
export const LOGISTIC_REGRESSION_DEFAULTS: LogisticRegressionParams = { learningRate: 0.1, maxIterations: 200, l2: 0, tolerance: 1e-6, batchSize: 0 };

const MAX_ITERATIONS = 100_000;

/**
 * Fills defaults (0 or absent = default, as in training.proto) and validates.
 * @throws InvalidParamsError naming the first bad field (snake_case).
 */
export function resolveLogisticRegressionParams(raw: Partial<LogisticRegressionParams>): LogisticRegressionParams {
  const params = {
    learningRate: orDefault(raw.learningRate, LOGISTIC_REGRESSION_DEFAULTS.learningRate),
    maxIterations: orDefault(raw.maxIterations, LOGISTIC_REGRESSION_DEFAULTS.maxIterations),
    l2: orDefault(raw.l2, LOGISTIC_REGRESSION_DEFAULTS.l2),
    tolerance: orDefault(raw.tolerance, LOGISTIC_REGRESSION_DEFAULTS.tolerance),
    batchSize: orDefault(raw.batchSize, LOGISTIC_REGRESSION_DEFAULTS.batchSize),
  };
  if (!(Number.isFinite(params.learningRate) && params.learningRate > 0)) throw new InvalidParamsError('learning_rate', `must be a number > 0, got ${params.learningRate}`);
  if (!(Number.isInteger(params.maxIterations) && params.maxIterations >= 1 && params.maxIterations <= MAX_ITERATIONS)) {
    throw new InvalidParamsError('max_iterations', `must be an integer in [1, ${MAX_ITERATIONS}], got ${params.maxIterations}`);
  }
  if (!(Number.isFinite(params.l2) && params.l2 >= 0)) throw new InvalidParamsError('l2', `must be a number >= 0, got ${params.l2}`);
  if (!(Number.isFinite(params.tolerance) && params.tolerance > 0)) throw new InvalidParamsError('tolerance', `must be a number > 0, got ${params.tolerance}`);
  if (!(Number.isSafeInteger(params.batchSize) && params.batchSize >= 0)) throw new InvalidParamsError('batch_size', `must be an integer >= 0, got ${params.batchSize}`);
  return params;
}

/** The effective params under their training.proto names. */
export function describeLogisticRegressionParams(params: LogisticRegressionParams): Record<string, string> {
  return {
    learning_rate: String(params.learningRate),
    max_iterations: String(params.maxIterations),
    l2: String(params.l2),
    tolerance: String(params.tolerance),
    batch_size: String(params.batchSize),
  };
}

function orDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value;
}

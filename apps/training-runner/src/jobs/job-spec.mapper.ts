import type { googleProtobuf, trainingV1 } from '@strata/contracts';
import { type FieldViolation, fromTimestamp, InvalidArgumentError } from '@strata/service-runtime';
import { parseLabelExpression } from '../dataset/label-expression';
import { DEFAULT_METRICS, KNOWN_METRICS } from '../evaluation';
import { builtInTrainer, type BuiltInTrainerName, InvalidParamsError, type TrainingTask } from '../trainers';
import type { ContainerPlan, DatasetPlan, MetricThreshold, SplitPlan, TrainerName, TrainingPlan } from './training-job';

const TRAINERS: Readonly<Record<string, TrainerName>> = {
  TRAINER_LOGISTIC_REGRESSION: 'logistic_regression',
  TRAINER_GBDT: 'gbdt',
  TRAINER_MLP: 'mlp',
  TRAINER_CONTAINER: 'container',
};
const TASKS: Readonly<Record<string, TrainingTask>> = {
  TASK_UNSPECIFIED: 'binary',
  TASK_BINARY_CLASSIFICATION: 'binary',
  TASK_REGRESSION: 'regression',
  TASK_MULTICLASS_CLASSIFICATION: 'multiclass',
};
/** The hyper-parameter member each trainer takes. */
const PARAMS_MEMBER: Readonly<Record<TrainerName, 'logisticRegression' | 'gbdt' | 'mlp' | 'container'>> = {
  logistic_regression: 'logisticRegression',
  gbdt: 'gbdt',
  mlp: 'mlp',
  container: 'container',
};
const SNAKE: Readonly<Record<string, string>> = { logisticRegression: 'logistic_regression', gbdt: 'gbdt', mlp: 'mlp', container: 'container' };
const ACTIVATIONS: Readonly<Record<string, string>> = { ACTIVATION_UNSPECIFIED: 'relu', ACTIVATION_RELU: 'relu', ACTIVATION_TANH: 'tanh', ACTIVATION_SIGMOID: 'sigmoid' };
const DEFAULT_TIMEOUT_MS = 60 * 60_000;
const NAME = /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/;

/**
 * Validates a wire JobSpec into a {@link TrainingPlan}, listing every violation with its proto
 * path (INVALID_ARGUMENT). Hyper-parameters are checked by the trainer itself.
 */
export function planOf(spec: trainingV1.JobSpec | null | undefined): TrainingPlan {
  const violations: FieldViolation[] = [];
  const bad = (field: string, description: string): void => void violations.push({ field: `spec.${field}`, description });
  if (spec == null) throw new InvalidArgumentError('spec is required', [{ field: 'spec', description: 'required' }]);

  if (spec.modelName === '') bad('model_name', 'required');
  else if (!NAME.test(spec.modelName)) bad('model_name', `"${spec.modelName}" must be 1-128 lower-case letters, digits, ".", "_" or "-", starting and ending with a letter or digit`);
  const trainer = TRAINERS[spec.trainer];
  if (trainer === undefined) bad('trainer', 'required: TRAINER_LOGISTIC_REGRESSION, TRAINER_GBDT, TRAINER_MLP or TRAINER_CONTAINER');
  const task = TASKS[spec.task] ?? 'binary';
  const wire = spec as trainingV1.JobSpec & { hyperparameters?: string };
  const member = wire.hyperparameters;
  let params: Record<string, unknown> = {};
  let container: ContainerPlan | undefined;
  if (trainer !== undefined) {
    if (member !== undefined && member !== PARAMS_MEMBER[trainer]) bad(SNAKE[member] ?? member, `does not match trainer ${spec.trainer} (use ${SNAKE[PARAMS_MEMBER[trainer]]})`);
    if (trainer === 'container') {
      container = containerOf(spec.container, bad);
      // User images need the dataset-files contract (STRATA_DATASET_DIR/STRATA_OUTPUT_DIR) the runner does not implement yet: refuse now rather than queue a job that cannot run.
      bad('trainer', 'TRAINER_CONTAINER is not supported by this runner yet; use TRAINER_LOGISTIC_REGRESSION, TRAINER_GBDT or TRAINER_MLP (TRAINING_EXECUTOR=kubernetes runs those in a pod)');
    } else {
      const builtIn = builtInTrainer(trainer as BuiltInTrainerName);
      if (!builtIn.tasks.includes(task)) bad('task', `${spec.task} is not supported by ${spec.trainer} (supported: ${builtIn.tasks.join(', ')})`);
      params = rawParamsOf(trainer, spec);
      try {
        builtIn.resolveParams(params);
      } catch (error) {
        if (!(error instanceof InvalidParamsError)) throw error;
        bad(`${SNAKE[PARAMS_MEMBER[trainer]]}.${error.field}`, error.reason);
      }
    }
  }
  const dataset = datasetOf(spec.dataset, bad);
  const evaluation = evaluationOf(spec.evaluation, task, bad);
  const timeoutMs = durationMs(spec.timeout) ?? DEFAULT_TIMEOUT_MS;
  if (timeoutMs <= 0) bad('timeout', 'must be positive');
  if (spec.maxAttempts < 0 || spec.maxAttempts > 10) bad('max_attempts', 'must be between 0 and 10');

  if (violations.length > 0 || trainer === undefined || dataset === undefined) {
    throw new InvalidArgumentError(`invalid job spec: ${violations.map((violation) => `${violation.field}: ${violation.description}`).join('; ')}`, violations);
  }
  return {
    modelName: spec.modelName,
    trainer,
    task,
    params,
    ...(container === undefined ? {} : { container }),
    dataset,
    seed: spec.seed >>> 0,
    evaluation,
    registerOnSuccess: spec.registerOnSuccess,
    tags: { ...spec.tags },
    codeVersion: spec.codeVersion,
    description: spec.description,
    timeoutMs,
    maxAttempts: Math.max(1, spec.maxAttempts),
  };
}

function rawParamsOf(trainer: TrainerName, spec: trainingV1.JobSpec): Record<string, unknown> {
  const raw = (spec[PARAMS_MEMBER[trainer]] ?? {}) as unknown as Record<string, unknown>;
  if (trainer !== 'mlp') return { ...raw };
  return { ...raw, activation: ACTIVATIONS[String(raw['activation'] ?? 'ACTIVATION_UNSPECIFIED')] ?? 'relu' };
}

function containerOf(container: trainingV1.ContainerParams | null | undefined, bad: (field: string, description: string) => void): ContainerPlan | undefined {
  if (container == null || container.image === '') {
    bad('container.image', 'required for TRAINER_CONTAINER');
    return undefined;
  }
  return {
    image: container.image,
    command: [...container.command],
    args: [...container.args],
    env: { ...container.env },
    params: { ...container.params },
    resources: { cpu: container.resources?.cpu ?? '', memory: container.resources?.memory ?? '', gpus: container.resources?.gpus ?? 0 },
  };
}

function datasetOf(dataset: trainingV1.DatasetSpec | null | undefined, bad: (field: string, description: string) => void): DatasetPlan | undefined {
  if (dataset == null) {
    bad('dataset', 'required');
    return undefined;
  }
  if (dataset.featureSets.length === 0) bad('dataset.feature_sets', 'at least one feature set version is required');
  dataset.featureSets.forEach((ref, index) => {
    if (ref.name === '') bad(`dataset.feature_sets[${index}].name`, 'required');
    if (ref.version < 1) bad(`dataset.feature_sets[${index}].version`, 'must be >= 1 (training needs a fixed feature contract)');
  });
  const label = dataset.label;
  if (label == null || label.source === '') bad('dataset.label.source', 'required');
  if (label == null || label.field === '') bad('dataset.label.field', 'required');
  else if (parseLabelExpression(label.field) === undefined) bad('dataset.label.field', `"${label.field}" must be a source field name or one comparison with a number, e.g. "delay > 15"`);
  const start = fromTimestamp(dataset.timeRange?.start);
  const end = fromTimestamp(dataset.timeRange?.end);
  if (start === undefined) bad('dataset.time_range.start', 'required');
  if (end === undefined) bad('dataset.time_range.end', 'required');
  if (start !== undefined && end !== undefined && start >= end) bad('dataset.time_range', 'start must be before end');
  const split = splitOf(dataset.split, bad);
  const setNames = new Set(dataset.featureSets.map((ref) => ref.name));
  const seen = new Set<string>();
  dataset.features.forEach((name, index) => {
    if (seen.has(name)) bad(`dataset.features[${index}]`, `"${name}" is listed twice`);
    seen.add(name);
    const [set, feature, ...rest] = name.split('.');
    if (name.includes('.') && (rest.length > 0 || feature === '' || !setNames.has(set ?? ''))) bad(`dataset.features[${index}]`, `"${name}" must be <feature_set>.<feature> of a listed feature set`);
    else if (!name.includes('.') && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) bad(`dataset.features[${index}]`, `"${name}" is not a field name`);
  });
  if (label == null || start === undefined || end === undefined || split === undefined) return undefined;
  return {
    featureSets: dataset.featureSets.map((ref) => ({ name: ref.name, version: ref.version })),
    label: { source: label.source, field: label.field.trim(), filter: label.filter.trim() },
    timeRange: { start: start.getTime(), end: end.getTime() },
    split,
    features: [...dataset.features],
  };
}

function splitOf(split: trainingV1.SplitSpec | null | undefined, bad: (field: string, description: string) => void): SplitPlan | undefined {
  if (split?.time != null) {
    const testStart = fromTimestamp(split.time.testStart);
    const validationStart = fromTimestamp(split.time.validationStart);
    if (testStart === undefined) {
      bad('dataset.split.time.test_start', 'required');
      return undefined;
    }
    if (validationStart !== undefined && validationStart >= testStart) bad('dataset.split.time.validation_start', 'must be before test_start');
    return { kind: 'time', testStart: testStart.getTime(), ...(validationStart === undefined ? {} : { validationStart: validationStart.getTime() }) };
  }
  if (split?.random != null) {
    const { validationFraction, testFraction } = split.random;
    if (!(testFraction > 0 && testFraction < 1)) bad('dataset.split.random.test_fraction', 'must be in (0, 1)');
    if (!(validationFraction >= 0 && validationFraction < 1)) bad('dataset.split.random.validation_fraction', 'must be in [0, 1)');
    if (validationFraction + testFraction >= 1) bad('dataset.split.random', 'validation_fraction + test_fraction must be < 1 (rows must remain for training)');
    return { kind: 'random', validationFraction, testFraction };
  }
  bad('dataset.split', 'required: time or random');
  return undefined;
}

function evaluationOf(evaluation: trainingV1.EvaluationSpec | null | undefined, task: TrainingTask, bad: (field: string, description: string) => void): TrainingPlan['evaluation'] {
  const metrics = [...(evaluation?.metrics ?? [])];
  const known = KNOWN_METRICS[task];
  metrics.forEach((metric, index) => {
    if (!known.includes(metric)) bad(`evaluation.metrics[${index}]`, `unknown metric "${metric}" for ${task} (known: ${known.join(', ')})`);
  });
  const computed = metrics.length > 0 ? metrics : DEFAULT_METRICS[task];
  const thresholds: MetricThreshold[] = (evaluation?.thresholds ?? []).map((threshold, index) => {
    if (!computed.includes(threshold.metric)) bad(`evaluation.thresholds[${index}].metric`, `"${threshold.metric}" is not among the computed metrics (${computed.join(', ')})`);
    if (threshold.min == null && threshold.max == null) bad(`evaluation.thresholds[${index}]`, 'set min, max or both');
    return { metric: threshold.metric, ...(threshold.min == null ? {} : { min: threshold.min }), ...(threshold.max == null ? {} : { max: threshold.max }) };
  });
  return { metrics, thresholds };
}

function durationMs(duration: googleProtobuf.Duration | null | undefined): number | undefined {
  if (duration == null) return undefined;
  return Number(duration.seconds) * 1000 + Math.trunc(duration.nanos / 1_000_000);
}

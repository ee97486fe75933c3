import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { FeatureStore, FeatureStoreError, type DatasetSnapshot } from '../dataset/feature-store';
import { parseLabelExpression } from '../dataset/label-expression';
import { splitRows } from '../dataset/split';
import { assembleTrainingSet, type TrainingSet, TrainingSetError } from '../dataset/training-set';
import { checkThresholds, computeMetrics, DEFAULT_METRICS } from '../evaluation';
import type { JobResults, LogLevel, TrainingJobRecord, TrainingPlan } from '../jobs/training-job';
import { ModelRegistry, RegistrationError } from '../registration/model-registry';
import { type BuiltInTrainerName, MODEL_INPUT, selectRows } from '../trainers';
import { type Cell } from '../dataset/feature-store';
import { JobFailure } from './job-failure';
import { LocalTrainingExecutor, type TrainingOutput, TrainingRunError } from './local-training-executor';
import { maxAbsDifference, onnxPredictions, PARITY_TOLERANCE } from './onnx-verifier';
import { type WireSplit } from './training-thread-protocol';
import type { JobProgressPatch } from '../jobs/training-job.repository';

/** What the use case needs from the worker running the job. */
export interface JobRunContext {
  readonly job: TrainingJobRecord;
  /** Aborted on cancel, timeout or shutdown; `reason` says which (a JobFailure for timeouts). */
  readonly signal: AbortSignal;
  readonly codeVersion: string;
  log(level: LogLevel, message: string): void;
  progress(progress: { iteration: number; totalIterations: number; loss: number; validationLoss?: number; metrics?: Readonly<Record<string, number>> }): void;
  /** Durably records what the run produced so far. */
  save(patch: JobProgressPatch): Promise<void>;
  saveArtifact(sha256: string, content: Uint8Array): Promise<void>;
}

/** The producer version written into every exported model. */
export const PRODUCER_VERSION = '0.1.0';

/**
 * One attempt of a training job: build (or reuse) the point-in-time snapshot, split it, train
 * on a worker thread, verify the ONNX export with onnxruntime against the trainer's own
 * predictions, evaluate on the test split and — when asked and the thresholds pass — register
 * the version. Throws {@link JobFailure} for every failure with its job error code.
 */
@Injectable()
export class RunTrainingJob {
  constructor(
    private readonly features: FeatureStore,
    private readonly executor: LocalTrainingExecutor,
    private readonly registry: ModelRegistry,
  ) {}

  async execute(context: JobRunContext): Promise<JobResults> {
    const started = Date.now();
    const { job } = context;
    const plan = job.spec.plan;
    if (plan.trainer === 'container') throw new JobFailure('CONTAINER_FAILED', 'container trainers run only with EXECUTOR=kubernetes');

    const snapshot = await this.snapshotOf(context, plan);
    const trainingSet = await this.load(context, plan, snapshot);
    const split = splitRows(trainingSet.timestamps, plan.dataset.split, plan.seed);
    const splitCounts = { train: split.train.length, validation: split.validation.length, test: split.test.length };
    await context.save({ results: { splitCounts, featureNames: trainingSet.featureNames } });
    context.log('info', `split ${plan.dataset.split.kind}: train=${splitCounts.train} validation=${splitCounts.validation} test=${splitCounts.test}`);
    if (splitCounts.train === 0) throw new JobFailure('DATASET_EMPTY', 'the train split is empty: move the split boundaries or widen the time range');
    if (splitCounts.test === 0) throw new JobFailure('DATASET_EMPTY', 'the test split is empty: move the split boundaries or widen the time range');

    const wire = (indices: Uint32Array): WireSplit => {
      const x = selectRows(trainingSet.x, indices);
      return { rows: x.rows, cols: x.cols, x: x.values, y: Float64Array.from(indices, (i) => trainingSet.y[i] as number) };
    };
    const train = wire(split.train);
    const validation = split.validation.length > 0 ? wire(split.validation) : undefined;
    const test = wire(split.test);

    context.log('info', `training ${plan.trainer} on ${train.rows} rows x ${train.cols} features (seed ${plan.seed})`);
    const output = await this.train(context, plan, snapshot, trainingSet, { train, validation, test });
    await context.save({ results: { params: output.params, iterations: output.iterations } });

    // Verification: the file that will be served must predict what the trainer predicts.
    const sha256 = createHash('sha256').update(output.onnx).digest('hex');
    const served = await onnxPredictions(output.onnx, { rows: test.rows, cols: test.cols, values: test.x }, plan.task).catch((error: unknown) => {
      throw new JobFailure('EXPORT_FAILED', `onnxruntime could not run the exported model: ${String(error)}`);
    });
    const parity = maxAbsDifference(served, output.predictions.test);
    if (!(parity <= PARITY_TOLERANCE)) {
      throw new JobFailure('EXPORT_FAILED', `the exported model disagrees with the trainer by ${parity} on the test split (limit ${PARITY_TOLERANCE})`);
    }
    await context.saveArtifact(sha256, output.onnx);
    context.log('info', `exported ONNX sha256=${sha256.slice(0, 12)}… size=${output.onnx.byteLength} B; onnxruntime parity max |diff|=${parity.toExponential(2)}`);

    const metricNames = plan.evaluation.metrics.length > 0 ? plan.evaluation.metrics : DEFAULT_METRICS[plan.task];
    const classes = trainingSet.classes?.length;
    const metrics = computeMetrics(plan.task, metricNames, test.y, served, classes);
    const trainMetrics = computeMetrics(plan.task, metricNames, train.y, output.predictions.train, classes);
    const validationMetrics = validation === undefined || output.predictions.validation === undefined ? {} : computeMetrics(plan.task, metricNames, validation.y, output.predictions.validation, classes);
    const check = checkThresholds(plan.evaluation.thresholds, metrics);
    const evaluation = { passed: check.passed, thresholds: check.results };
    context.log('info', `test metrics ${Object.entries(metrics).map(([name, value]) => `${name}=${value.toFixed(4)}`).join(' ')}; evaluation ${evaluation.passed ? 'passed' : 'FAILED'}`);
    let results: JobResults = { metrics, trainMetrics, validationMetrics, evaluation, parityMaxAbsDiff: parity, codeVersion: context.codeVersion };
    await context.save({ artifactSha256: sha256, artifactSize: output.onnx.byteLength, results });

    if (plan.registerOnSuccess) {
      if (!evaluation.passed) {
        results = { ...results, registrationSkippedReason: 'evaluation thresholds not met' };
      } else {
        const registered = await this.register(context, plan, snapshot, trainingSet, { sha256, content: output.onnx, metrics, params: output.params });
        await context.save({ registeredVersion: registered });
      }
    }
    return { ...results, durationMs: Date.now() - started };
  }

  private async snapshotOf(context: JobRunContext, plan: TrainingPlan): Promise<DatasetSnapshot> {
    const label = parseLabelExpression(plan.dataset.label.field);
    if (label === undefined) throw new JobFailure('LABEL_INVALID', `label field "${plan.dataset.label.field}" is neither a field name nor a comparison`);
    const plain = plan.dataset.features.filter((name) => !name.includes('.') && name !== 'hour_of_day' && name !== 'day_of_week');
    const qualified = plan.dataset.features.filter((name) => name.includes('.'));
    context.log('info', `building the point-in-time training set: ${plan.dataset.featureSets.map((set) => `${set.name}@v${set.version}`).join(', ')} over ${plan.dataset.label.source} events`);
    try {
      const snapshot = await this.features.buildTrainingSet(
        {
          featureSets: plan.dataset.featureSets,
          source: plan.dataset.label.source,
          timeRange: plan.dataset.timeRange,
          extraFields: [...new Set([label.field, ...plain])],
          filter: plan.dataset.label.filter,
          features: qualified,
        },
        context.signal,
      );
      if (context.job.datasetDigest !== undefined && context.job.datasetDigest !== snapshot.digest) {
        context.log('warn', `the training set changed since the previous attempt (${context.job.datasetDigest} → ${snapshot.digest}): new events arrived`);
      }
      await context.save({ datasetSnapshotId: snapshot.id, datasetDigest: snapshot.digest, results: { featureContracts: snapshot.featureContracts } });
      context.log('info', `training set ${snapshot.digest} rows=${snapshot.rowCount} columns=${snapshot.columns.length}`);
      return snapshot;
    } catch (error) {
      throw failureOf(error);
    }
  }

  private async load(context: JobRunContext, plan: TrainingPlan, snapshot: DatasetSnapshot): Promise<TrainingSet> {
    if (snapshot.rowCount === 0) throw new JobFailure('DATASET_EMPTY', 'the training set has no rows: no label events in the time range');
    const rows: (readonly Cell[])[] = [];
    try {
      for await (const batch of this.features.readRows(snapshot.id, context.signal)) rows.push(...batch);
      const label = parseLabelExpression(plan.dataset.label.field);
      if (label === undefined) throw new JobFailure('LABEL_INVALID', `label field "${plan.dataset.label.field}" is neither a field name nor a comparison`);
      const trainingSet = assembleTrainingSet(snapshot.columns, rows, { features: plan.dataset.features, label, task: plan.task });
      if (trainingSet.droppedRows > 0) context.log('warn', `${trainingSet.droppedRows} rows without a label were left out`);
      return trainingSet;
    } catch (error) {
      throw failureOf(error);
    }
  }

  private async train(context: JobRunContext, plan: TrainingPlan, snapshot: DatasetSnapshot, trainingSet: TrainingSet, splits: { train: WireSplit; validation: WireSplit | undefined; test: WireSplit }): Promise<TrainingOutput> {
    try {
      return await this.executor.run(
        {
          trainer: plan.trainer as BuiltInTrainerName,
          task: plan.task,
          ...(trainingSet.classes === undefined ? {} : { classes: trainingSet.classes.length }),
          params: plan.params,
          featureNames: trainingSet.featureNames,
          seed: plan.seed,
          train: splits.train,
          ...(splits.validation === undefined ? {} : { validation: splits.validation }),
          test: splits.test,
          metadata: modelMetadata(plan, snapshot, trainingSet),
          producerVersion: PRODUCER_VERSION,
        },
        { progress: (message) => context.progress(message), log: (message) => context.log('info', message) },
        context.signal,
      );
    } catch (error) {
      if (error instanceof TrainingRunError) {
        const reason: unknown = context.signal.reason;
        if (error.code === 'CANCELLED' && reason instanceof JobFailure) throw reason;
        throw new JobFailure(error.code, error.message, error.code === 'OUT_OF_MEMORY');
      }
      throw error;
    }
  }

  private async register(
    context: JobRunContext,
    plan: TrainingPlan,
    snapshot: DatasetSnapshot,
    trainingSet: TrainingSet,
    artifact: { sha256: string; content: Uint8Array; metrics: Readonly<Record<string, number>>; params: Readonly<Record<string, string>> },
  ): Promise<number> {
    try {
      const registered = await this.registry.register(
        {
          modelName: plan.modelName,
          content: artifact.content,
          sha256: artifact.sha256,
          metrics: artifact.metrics,
          params: { ...artifact.params, trainer: plan.trainer, seed: String(plan.seed) },
          tags: plan.tags,
          description: plan.description,
          lineage: { trainingJobId: context.job.id, datasetSnapshotId: snapshot.id, datasetSnapshotDigest: snapshot.digest, featureContracts: snapshot.featureContracts, codeVersion: context.codeVersion },
          inputBindings: [{ input: MODEL_INPUT, features: trainingSet.featureNames }],
        },
        context.job.id,
      );
      context.log('info', `registered ${plan.modelName} version ${registered.version}${registered.alreadyExisted ? ' (the same bytes were already registered)' : ''}`);
      return registered.version;
    } catch (error) {
      if (error instanceof RegistrationError) throw new JobFailure('REGISTRATION_FAILED', error.message, error.retryable);
      throw error;
    }
  }
}

/**
 * The model's metadata_props: what it is and what it was trained on. Nothing per-run (job ID,
 * clock), so the same spec, snapshot and seed give byte-identical files.
 */
export function modelMetadata(plan: TrainingPlan, snapshot: DatasetSnapshot, trainingSet: TrainingSet): Record<string, string> {
  return {
    'strata.model_name': plan.modelName,
    'strata.trainer': plan.trainer,
    'strata.task': plan.task,
    'strata.seed': String(plan.seed),
    'strata.params': JSON.stringify(sortedObject(plan.params)),
    'strata.features': JSON.stringify(trainingSet.featureNames),
    'strata.feature_contracts': JSON.stringify(snapshot.featureContracts.map((contract) => `${contract.name}@v${contract.version}:${contract.digest}`)),
    'strata.dataset_digest': snapshot.digest,
    'strata.label': `${plan.dataset.label.source}.${plan.dataset.label.field}`,
    ...(trainingSet.classes === undefined ? {} : { 'strata.classes': JSON.stringify(trainingSet.classes) }),
  };
}

function sortedObject(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, value[key]]));
}

function failureOf(error: unknown): Error {
  if (error instanceof JobFailure) return error;
  if (error instanceof FeatureStoreError) return new JobFailure(error.code, error.message, error.retryable);
  if (error instanceof TrainingSetError) return new JobFailure(error.code, error.message);
  return error instanceof Error ? error : new Error(String(error));
}

import { type TrainingTask } from '../trainers/shared/trainer';

/** A job's stored life state (the training_job_status enum). */
export type StoredJobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The status a caller sees: a running job asked to stop is `cancelling`. */
export type JobStatus = StoredJobStatus | 'cancelling';

/** The built-in trainers, plus user containers (Kubernetes only). */
export type TrainerName = 'logistic_regression' | 'gbdt' | 'mlp' | 'container';

/** How the rows are split; times are epoch milliseconds. */
export type SplitPlan =
  | { readonly kind: 'time'; readonly validationStart?: number; readonly testStart: number }
  | { readonly kind: 'random'; readonly validationFraction: number; readonly testFraction: number };

/** One bound on an evaluation metric. */
export interface MetricThreshold {
  readonly metric: string;
  readonly min?: number;
  readonly max?: number;
}

/** A user container trainer (EXECUTOR=kubernetes). */
export interface ContainerPlan {
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  readonly resources: { readonly cpu: string; readonly memory: string; readonly gpus: number };
}

/** The training data: which features, which label, which rows, how they are split. */
export interface DatasetPlan {
  readonly featureSets: readonly { readonly name: string; readonly version: number }[];
  readonly label: { readonly source: string; readonly field: string; readonly filter: string };
  /** Event-time range of the label events, epoch ms, end exclusive. */
  readonly timeRange: { readonly start: number; readonly end: number };
  readonly split: SplitPlan;
  /**
   * Model input columns in order: qualified `<feature_set>.<feature>` names, plain fields of the
   * label source (request-time features) and the derived `hour_of_day` / `day_of_week` of the
   * row timestamp. Empty = every feature of the feature sets, in declared order.
   */
  readonly features: readonly string[];
}

/** A validated job spec: everything the runner needs, in domain terms (JSON-safe). */
export interface TrainingPlan {
  readonly modelName: string;
  readonly trainer: TrainerName;
  readonly task: TrainingTask;
  /** The trainer's raw hyper-parameters (camelCase, zero = default), resolved by the trainer. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly container?: ContainerPlan;
  readonly dataset: DatasetPlan;
  readonly seed: number;
  readonly evaluation: { readonly metrics: readonly string[]; readonly thresholds: readonly MetricThreshold[] };
  readonly registerOnSuccess: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly codeVersion: string;
  readonly description: string;
  readonly timeoutMs: number;
  /** Attempts for retryable (infrastructure) failures; at least 1. */
  readonly maxAttempts: number;
}

/** A job as submitted: the request as received (echoed by GetJob) and the plan it validated into. */
export interface JobSpecRecord {
  /** The wire JobSpec, verbatim. */
  readonly request: unknown;
  readonly plan: TrainingPlan;
}

/** Why a job failed. */
export interface JobError {
  /** DATASET_EMPTY, DATASET_BUILD_FAILED, LABEL_INVALID, TRAINING_DIVERGED, TIMEOUT, EXPORT_FAILED, VERIFICATION_FAILED, REGISTRATION_FAILED, CONTAINER_FAILED, INTERNAL... */
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** The result of one threshold check. */
export interface ThresholdResult {
  readonly threshold: MetricThreshold;
  readonly value?: number;
  readonly passed: boolean;
}

/** What a run produced, filled in as it goes. */
export interface JobResults {
  readonly params?: Readonly<Record<string, string>>;
  readonly splitCounts?: { readonly train: number; readonly validation: number; readonly test: number };
  readonly featureNames?: readonly string[];
  readonly featureContracts?: readonly { readonly name: string; readonly version: number; readonly digest: string }[];
  readonly metrics?: Readonly<Record<string, number>>;
  readonly validationMetrics?: Readonly<Record<string, number>>;
  readonly trainMetrics?: Readonly<Record<string, number>>;
  readonly evaluation?: { readonly passed: boolean; readonly thresholds: readonly ThresholdResult[] };
  readonly iterations?: number;
  /** Largest |ONNX − trainer| prediction difference on the test split. */
  readonly parityMaxAbsDiff?: number;
  readonly registrationSkippedReason?: string;
  readonly durationMs?: number;
  readonly codeVersion?: string;
}

/** A training job as stored. */
export interface TrainingJobRecord {
  readonly id: string;
  readonly idempotencyKey?: string;
  readonly modelName: string;
  readonly trainer: TrainerName;
  readonly spec: JobSpecRecord;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  readonly datasetSnapshotId?: string;
  readonly datasetDigest?: string;
  readonly artifactSha256?: string;
  readonly artifactSize?: number;
  readonly registeredVersion?: number;
  readonly results: JobResults;
  readonly error?: JobError;
}

/** Terminal statuses: nothing changes a job in them. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** One iteration of training progress. */
export interface ProgressEvent {
  readonly kind: 'progress';
  readonly attempt: number;
  readonly iteration: number;
  readonly totalIterations: number;
  readonly loss: number;
  readonly validationLoss?: number;
  readonly metrics?: Readonly<Record<string, number>>;
}

/** Severity of a job log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One log line of a job. */
export interface LogEvent {
  readonly kind: 'log';
  readonly level: LogLevel;
  readonly message: string;
  readonly attempt: number;
}

/** A status transition with the job as it was then. */
export interface StatusEvent {
  readonly kind: 'status';
  readonly status: JobStatus;
  readonly previousStatus?: JobStatus;
  readonly job: TrainingJobRecord;
}

/** What a job event carries. */
export type JobEventPayload = StatusEvent | ProgressEvent | LogEvent;

/** One stored event of a job's history. */
export interface JobEvent {
  readonly sequence: number;
  readonly time: Date;
  readonly payload: JobEventPayload;
}

/** ListJobs filters; undefined members do not filter. */
export interface JobFilter {
  readonly status?: JobStatus;
  readonly modelName?: string;
}

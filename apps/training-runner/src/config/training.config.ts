import { type ConfigOf, defineConfig, env, loadConfig } from '@strata/config';
import { ENVIRONMENT } from '@strata/service-runtime';

/** training-runner's own settings, next to the common ones of every service. */
export const trainingConfigSchema = defineConfig({
  FEATURE_SERVICE_ADDRESS: env.string({ optional: true, description: 'host:port of feature-service gRPC: training sets are built there (jobs fail with DATASET_BUILD_FAILED, retryable, when unset)' }),
  REGISTRY_ADDRESS: env.string({ optional: true, description: 'host:port of registry-service gRPC: successful jobs with register_on_success register there' }),
  REGISTRY_TOKEN: env.string({ default: '', sensitive: true, description: 'Bearer token (role ci or admin) sent to the registry when registering versions' }),
  TRAINING_CONCURRENCY: env.int({ default: 1, min: 1, description: 'Training jobs this instance runs at once (each on its own worker thread)' }),
  MAX_QUEUED_JOBS: env.int({ default: 1000, min: 1, description: 'Most QUEUED jobs; SubmitJob answers RESOURCE_EXHAUSTED above' }),
  JOB_LEASE: env.duration({ default: 30_000, description: 'How long a running job stays claimed without a heartbeat before another worker re-queues it' }),
  JOB_MAX_INTERRUPTIONS: env.int({ default: 3, min: 1, description: 'Attempts a job may lose to crashed workers (expired leases) before it is marked FAILED' }),
  TRAINING_EXECUTOR: env.enum(['local', 'kubernetes'], { default: 'local', description: 'Where training runs: local worker threads, or one Kubernetes Job per training job (the pod runs this image with --run-job <id>)' }),
  KUBERNETES_NAMESPACE: env.string({ default: 'default', description: 'Namespace of training Jobs (TRAINING_EXECUTOR=kubernetes)' }),
  KUBERNETES_IMAGE: env.string({ default: 'ghcr.io/strata-ml/training-runner:latest', description: 'training-runner image the Jobs run in single-job mode (TRAINING_EXECUTOR=kubernetes)' }),
  KUBERNETES_SERVICE_ACCOUNT: env.string({ default: 'strata-training-runner', description: 'Service account of training Job pods (TRAINING_EXECUTOR=kubernetes)' }),
  KUBERNETES_DATABASE_SECRET: env.string({ default: 'strata-training-runner-db', description: 'Secret (key `url`) holding DATABASE_URL for training Job pods (TRAINING_EXECUTOR=kubernetes)' }),
  KUBERNETES_REGISTRY_TOKEN_SECRET: env.string({ optional: true, description: 'Secret (key `token`) holding REGISTRY_TOKEN for training Job pods (TRAINING_EXECUTOR=kubernetes)' }),
  RUN_JOB_ID: env.string({ optional: true, description: 'Single-job mode (set by `--run-job <id>` in a training pod): run this already-claimed job, then exit' }),
  JOB_LEASE_OWNER: env.string({ optional: true, description: 'Single-job mode: the lease owner the pod records progress under (set by the kubernetes executor)' }),
  CODE_VERSION: env.string({ optional: true, description: "Version of this runner's code recorded on jobs without a code_version (default: the git commit of the checkout, when there is one)" }),
});

/** The typed training-runner settings. */
export type TrainingConfig = ConfigOf<typeof trainingConfigSchema>;

/** Injection token of {@link TrainingConfig}. */
export const TRAINING_CONFIG = Symbol('training.config');

/** Provides {@link TrainingConfig}, validated when the app starts. */
export const trainingConfigProvider = {
  provide: TRAINING_CONFIG,
  inject: [ENVIRONMENT],
  useFactory: (environment: NodeJS.ProcessEnv): TrainingConfig => loadConfig(trainingConfigSchema, environment),
};

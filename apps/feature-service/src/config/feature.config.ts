import { type ConfigOf, defineConfig, env, loadConfig } from '@strata/config';
import { ENVIRONMENT } from '@strata/service-runtime';

/** feature-service's own settings, next to the common ones of every service. */
export const featureConfigSchema = defineConfig({
  IMPORT_ROOT: env.string({ optional: true, description: 'Folder ImportFile paths are resolved in (no escape with ..); default <DATA_DIR>/imports' }),
  MAX_ONLINE_ENTITIES: env.int({ default: 1000, min: 1, description: 'Most entity IDs one GetOnlineFeatures call may ask for (INVALID_ARGUMENT above)' }),
  ONLINE_CACHE_ENTRIES: env.int({ default: 100_000, min: 0, description: 'Online rows kept in the in-process cache (0 = no cache); invalidated by materialization' }),
  JOB_CONCURRENCY: env.int({ default: 1, min: 1, description: 'Jobs (imports, materializations, replays) this instance runs at once' }),
  JOB_LEASE: env.duration({ default: 30_000, description: 'How long a running job stays claimed without a heartbeat before another worker resumes it' }),
  JOB_MAX_ATTEMPTS: env.int({ default: 3, min: 1, description: 'Runs of a job (including resumes after a crash) before it is marked FAILED' }),
  MAX_DATASET_ROWS: env.int({ default: 5_000_000, min: 1, description: 'Largest training-set snapshot GetHistoricalFeatures builds (RESOURCE_EXHAUSTED above)' }),
});

/** The typed feature-service settings. */
export type FeatureConfig = ConfigOf<typeof featureConfigSchema>;

/** Injection token of {@link FeatureConfig}. */
export const FEATURE_CONFIG = Symbol('feature.config');

/** Provides {@link FeatureConfig}, validated when the app starts. */
export const featureConfigProvider = {
  provide: FEATURE_CONFIG,
  inject: [ENVIRONMENT],
  useFactory: (environment: NodeJS.ProcessEnv): FeatureConfig => loadConfig(featureConfigSchema, environment),
};

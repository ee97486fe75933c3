import { type ConfigOf, defineConfig, env, loadConfig } from '@strata/config';
import { ENVIRONMENT } from '@strata/service-runtime';

/** inference-service's own settings, next to the common ones of every service. */
export const inferenceConfigSchema = defineConfig({
  REGISTRY_ADDRESS: env.string({ optional: true, description: 'host:port of registry-service gRPC: the release stream and artifacts of the served models' }),
  FEATURE_SERVICE_ADDRESS: env.string({ optional: true, description: 'host:port of feature-service gRPC: online features for requests that give entity IDs' }),
  BATCH_MAX_SIZE: env.int({ default: 32, min: 1, max: 10_000, description: 'dynamic batching: most rows coalesced into one session run per model (1 = no batching); a version tag `batch.max_size` overrides it per model' }),
  BATCH_MAX_DELAY: env.duration({ default: 0, description: 'dynamic batching: longest a request waits for others to join its batch (0 = only requests that queued while the model was busy are coalesced); a version tag `batch.max_delay_ms` overrides it per model' }),
  FEATURE_FETCH_DEADLINE: env.duration({ default: 100, description: 'longest a request waits for online features; past it the request is answered with contract defaults and `feature_fetch_failed`' }),
  MODEL_MEMORY_BUDGET_MB: env.int({ default: 1024, min: 1, max: 1_048_576, description: 'memory budget for loaded model versions (artifact bytes x 3 as the estimate); pinned versions beyond it are unloaded least recently used first' }),
  SESSION_INTRA_OP_THREADS: env.int({ default: 1, min: 1, max: 64, description: 'onnxruntime intra-op threads per session (1 suits a 2-core box serving several models)' }),
  SESSION_INTER_OP_THREADS: env.int({ default: 1, min: 1, max: 64, description: 'onnxruntime inter-op threads per session' }),
});

/** The typed inference-service settings. */
export type InferenceConfig = ConfigOf<typeof inferenceConfigSchema>;

/** Injection token of {@link InferenceConfig}. */
export const INFERENCE_CONFIG = Symbol('inference.config');

/** Provides {@link InferenceConfig}, validated when the app starts. */
export const inferenceConfigProvider = {
  provide: INFERENCE_CONFIG,
  inject: [ENVIRONMENT],
  useFactory: (environment: NodeJS.ProcessEnv): InferenceConfig => loadConfig(inferenceConfigSchema, environment),
};

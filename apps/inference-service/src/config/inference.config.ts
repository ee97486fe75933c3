import { type ConfigOf, defineConfig, env, loadConfig } from '@strata/config';
import { ENVIRONMENT } from '@strata/service-runtime';

/** inference-service's own settings, next to the common ones of every service. */
export const inferenceConfigSchema = defineConfig({
  REGISTRY_ADDRESS: env.string({ optional: true, description: 'host:port of registry-service gRPC: the release stream and artifacts of the served models' }),
  FEATURE_SERVICE_ADDRESS: env.string({ optional: true, description: 'host:port of feature-service gRPC: online features for requests that give entity IDs' }),
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

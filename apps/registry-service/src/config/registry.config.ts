import { type ConfigOf, defineConfig, env, loadConfig } from '@strata/config';
import { ENVIRONMENT } from '@strata/service-runtime';

/** registry-service's own settings, next to the common ones of every service. */
export const registryConfigSchema = defineConfig({
  REGISTRY_TOKENS: env.string({
    default: '',
    sensitive: true,
    description: 'Who may change the registry: comma-separated subject:role:sha256hex(token) entries, role ci or admin (hash a token with `strata tokens hash`)',
  }),
  ARTIFACT_DIR: env.string({ optional: true, description: 'Folder of the content-addressed artifact store; default <DATA_DIR>/artifacts' }),
  MAX_ARTIFACT_BYTES: env.int({ default: 2 * 1024 ** 3, min: 1, description: 'Largest artifact RegisterVersion accepts (bytes); larger uploads get RESOURCE_EXHAUSTED' }),
  FEATURE_SERVICE_ADDRESS: env.string({
    optional: true,
    description: 'host:port of feature-service gRPC, asked by gates with require_feature_contract_served',
  }),
});

/** The typed registry settings. */
export type RegistryConfig = ConfigOf<typeof registryConfigSchema>;

/** Injection token of {@link RegistryConfig}. */
export const REGISTRY_CONFIG = Symbol('registry.config');

/** Provides {@link RegistryConfig}, validated when the app starts. */
export const registryConfigProvider = {
  provide: REGISTRY_CONFIG,
  inject: [ENVIRONMENT],
  useFactory: (environment: NodeJS.ProcessEnv): RegistryConfig => loadConfig(registryConfigSchema, environment),
};

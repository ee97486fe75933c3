import { type ConfigOf, defineConfig, env, loadConfig } from '@strata/config';
import { ENVIRONMENT } from '@strata/service-runtime';

/** gateway's own settings, next to the common ones of every service. */
export const gatewayConfigSchema = defineConfig({
  INFERENCE_ADDRESS: env.string({ optional: true, description: 'host:port of inference-service gRPC: where predictions are forwarded' }),
  GATEWAY_ADMIN_TOKENS: env.string({
    default: '',
    sensitive: true,
    description: 'admin callers of ApiKeyAdminService: comma-separated subject:admin:<sha256 hex of the token> (only hashes are configured)',
  }),
  AUTH_DISABLED: env.boolean({ default: false, description: 'serve predictions without an API key (local use only; logged loudly at start)' }),
  DEFAULT_DEADLINE: env.duration({ default: 1_000, description: 'deadline of a request whose caller sets none (a caller deadline, gRPC or x-request-timeout-ms, wins up to 30 s)' }),
  DEFAULT_RATE_LIMIT_PER_SECOND: env.int({ default: 100, min: 1, max: 1_000_000, description: 'token-bucket rate of a key without its own limit' }),
  MAX_IN_FLIGHT: env.int({ default: 256, min: 1, max: 100_000, description: 'requests forwarded at once; above it the gateway answers 503/UNAVAILABLE with Retry-After at once' }),
  MAX_BODY_BYTES: env.int({ default: 4 * 1024 * 1024, min: 1024, max: 64 * 1024 * 1024, description: 'largest REST body accepted (413 above)' }),
  CACHE_TTL: env.duration({ default: 5_000, description: 'how long API keys and model metadata are cached in process (a revoked key stops working within this time)' }),
});

/** The typed gateway settings. */
export type GatewayConfig = ConfigOf<typeof gatewayConfigSchema>;

/** Injection token of {@link GatewayConfig}. */
export const GATEWAY_CONFIG = Symbol('gateway.config');

/** Provides {@link GatewayConfig}, validated when the app starts. */
export const gatewayConfigProvider = {
  provide: GATEWAY_CONFIG,
  inject: [ENVIRONMENT],
  useFactory: (environment: NodeJS.ProcessEnv): GatewayConfig => loadConfig(gatewayConfigSchema, environment),
};

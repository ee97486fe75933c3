import { defineConfig, env, loadConfig, type ConfigOf } from '@strata/config';
import path from 'node:path';

/** The default ports of a service (see the table in the README). */
export interface DefaultPorts {
  readonly grpc: number;
  readonly http: number;
}

/**
 * The variables every Strata service reads. A service adds its own next to these
 * (`{ ...serviceConfigSchema(...), MY_VAR: env.int(...) }`).
 */
export function serviceConfigSchema(service: string, ports: DefaultPorts) {
  return defineConfig({
    BIND_HOST: env.string({ default: '0.0.0.0', description: 'Address the gRPC and HTTP servers bind to' }),
    GRPC_PORT: env.port({ default: ports.grpc, description: 'Port of the gRPC server (the service API and grpc.health.v1)' }),
    HTTP_PORT: env.port({ default: ports.http, description: 'Port of the HTTP side: /healthz, /readyz, /metrics' }),
    DATABASE_URL: env.url({
      optional: true,
      sensitive: true,
      protocols: ['postgres', 'postgresql'],
      description: "This service's own PostgreSQL database; embedded PGlite under DATA_DIR when unset",
    }),
    DATA_DIR: env.string({ default: path.join('.data', service), description: 'Folder for local state (the embedded PGlite database)' }),
    MIGRATE_ON_START: env.boolean({
      default: true,
      description: 'Apply pending migrations at start-up; false: wait until the schema serves this build (migrated by `main.js --migrate`)',
    }),
    LOG_LEVEL: env.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], { default: 'info', description: 'Lowest log level written' }),
    SHUTDOWN_GRACE: env.duration({
      default: 10_000,
      description: 'On SIGTERM, how long in-flight calls may take to finish before they are cut',
    }),
  });
}

/** The typed settings every service has. */
export type ServiceConfig = ConfigOf<ReturnType<typeof serviceConfigSchema>>;

/** Reads and validates the common settings of `service` from `env` (throws ConfigError). */
export function loadServiceConfig(service: string, ports: DefaultPorts, source: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return loadConfig(serviceConfigSchema(service, ports), source);
}

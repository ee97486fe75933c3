import { ConfigError } from '@strata/config';
import { activeTelemetry, createLogger } from '@strata/observability';
import { DatabaseConfigError, DatabaseConnectionError, MigrationError, type MigrationReport, runMigrations } from '@strata/persistence';
import path from 'node:path';
import type { Logger } from 'pino';
import { type DefaultPorts, loadServiceConfig, type ServiceConfig } from './service-config';
import type { ServiceDefinition } from './start-service';

/** The command-line flag that turns a service's `main.js` into its migration step. */
export const MIGRATE_FLAG = '--migrate';

/** Options of {@link migrateService}. */
export interface MigrateServiceOptions {
  readonly logger: Logger;
  /** Once aborted, no further migration is applied (the run rejects with a MigrationAbortedError). */
  readonly signal?: AbortSignal;
}

/**
 * Applies a service's pending migrations to the database its config names (DATABASE_URL, or
 * PGlite under DATA_DIR), exactly as the service would at start-up, and closes it: one line per
 * applied migration and a last line `<service>: schema current, N applied`. No Nest app, no port.
 */
export async function migrateService(
  definition: Pick<ServiceDefinition, 'name' | 'migrationsDir'>,
  config: ServiceConfig,
  options: MigrateServiceOptions,
): Promise<MigrationReport> {
  const report = await runMigrations({
    service: definition.name,
    databaseUrl: config.databaseUrl,
    dataDir: path.resolve(config.dataDir, 'pglite'),
    migrationsDir: definition.migrationsDir,
    logger: options.logger,
    signal: options.signal,
  });
  options.logger.info({ applied: report.applied.length }, `${definition.name}: schema current, ${report.applied.length} applied`);
  return report;
}

/**
 * `node main.js --migrate`, for a Helm pre-install/pre-upgrade hook Job or a CI step: reads the
 * service's common config, migrates, exits 0; any failure exits 1 with one message on stderr.
 * SIGTERM or SIGINT stops it before the next migration (the one in flight commits or rolls back
 * whole) and exits 1; if that takes longer than SHUTDOWN_GRACE, or on a second signal, it exits
 * at once: PostgreSQL rolls back the open transaction and frees the lock when the connection drops.
 */
export async function runMigrateCommand(definition: Pick<ServiceDefinition, 'name' | 'migrationsDir'>, ports: DefaultPorts): Promise<void> {
  const { name } = definition;
  const stopping = new AbortController();
  let graceMs = 10_000;
  const fail = (message: string): never => {
    process.stderr.write(`${name} ${MIGRATE_FLAG} failed: ${message}\n`);
    process.exit(1);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping.signal.aborted) fail(`${signal} received again; exiting now`);
    stopping.abort(new Error(`${signal} received`));
    process.stderr.write(`${name} ${MIGRATE_FLAG}: ${signal} received, stopping before the next migration (at most ${graceMs} ms)\n`);
    setTimeout(() => fail(`still busy ${graceMs} ms after ${signal}; exiting now (the migration in flight is rolled back)`), graceMs).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const config = loadServiceConfig(name, ports);
    graceMs = config.shutdownGrace;
    const logger = createLogger({ service: name, level: config.logLevel });
    await migrateService(definition, config, { logger, signal: stopping.signal });
    await activeTelemetry()?.shutdown();
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof MigrationError || error instanceof DatabaseConnectionError || error instanceof DatabaseConfigError;
    fail(known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(0);
}

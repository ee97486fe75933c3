import { ConfigError } from '@strata/config';
import { MIGRATE_FLAG, runMigrateCommand } from './migrate-command';
import { SchemaWaitAbortedError } from './schema-wait';
import type { DefaultPorts } from './service-config';
import { loadServiceConfig } from './service-config';
import { type RunningService, type ServiceDefinition, startService } from './start-service';

/**
 * The whole life of a service process, for its main.ts: validate the environment, start,
 * and on SIGTERM or SIGINT drain and exit 0 (also when the signal comes during start-up,
 * including while it waits for the schema with MIGRATE_ON_START=false).
 * A bad environment or a failed start exits 1 with a clear message.
 * With `--migrate` on the command line it only applies the pending migrations and exits
 * (see {@link runMigrateCommand}): no Nest app, no port.
 */
export async function runService(definition: ServiceDefinition, ports: DefaultPorts): Promise<void> {
  if (process.argv.includes(MIGRATE_FLAG)) return runMigrateCommand(definition, ports);
  let stopSignal: NodeJS.Signals | undefined;
  let running: RunningService | undefined;
  const starting = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    stopSignal ??= signal;
    if (running === undefined) {
      // still starting: a wait for the schema ends now; anything else stops as soon as the start finishes
      starting.abort(new Error(`${signal} received`));
      return;
    }
    running.close(`${signal} received`).then(
      () => process.exit(0),
      (error: unknown) => {
        running?.logger.error({ err: error }, `${definition.name} did not stop cleanly`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    running = await startService(definition, loadServiceConfig(definition.name, ports), { signal: starting.signal });
  } catch (error) {
    if (error instanceof SchemaWaitAbortedError && stopSignal !== undefined) process.exit(0);
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${definition.name} failed to start: ${message}\n`);
    process.exit(1);
  }
  if (stopSignal !== undefined) stop(stopSignal);
}

import { ConfigError } from '@strata/config';
import type { DefaultPorts } from './service-config';
import { loadServiceConfig } from './service-config';
import { type RunningService, type ServiceDefinition, startService } from './start-service';

/**
 * The whole life of a service process, for its main.ts: validate the environment, start,
 * and on SIGTERM or SIGINT drain and exit 0 (also when the signal comes during start-up).
 * A bad environment or a failed start exits 1 with a clear message.
 */
export async function runService(definition: ServiceDefinition, ports: DefaultPorts): Promise<void> {
  let stopSignal: NodeJS.Signals | undefined;
  let running: RunningService | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    stopSignal ??= signal;
    if (running === undefined) return; // still starting: stopped as soon as the start finishes
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
    running = await startService(definition, loadServiceConfig(definition.name, ports));
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${definition.name} failed to start: ${message}\n`);
    process.exit(1);
  }
  if (stopSignal !== undefined) stop(stopSignal);
}

import { MigrationError, type MigrationStatus, type PersistenceLogger } from '@strata/persistence';
import { setTimeout as delay } from 'node:timers/promises';

/** How often {@link waitForSchema} looks at the database by default. */
export const SCHEMA_POLL_INTERVAL_MS = 2_000;
/** How often, at most, {@link waitForSchema} says what it is still waiting for. */
export const SCHEMA_WAIT_LOG_INTERVAL_MS = 15_000;

/** Where {@link waitForSchema} reads the schema's state: a `Database` fits. */
export interface SchemaStatusSource {
  describe(): string;
  migrationStatus(migrationsDir: string): Promise<MigrationStatus>;
}

/** Options of {@link waitForSchema}; the clock and the pause are there for tests. */
export interface SchemaWaitOptions {
  readonly logger: PersistenceLogger;
  /** Ends the wait early: {@link waitForSchema} then rejects with a {@link SchemaWaitAbortedError}. */
  readonly signal?: AbortSignal;
  readonly pollIntervalMs?: number;
  readonly logIntervalMs?: number;
  readonly now?: () => number;
  /** Pauses `ms`; rejects when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The wait for the schema was stopped (SIGTERM during start-up) before the schema served this build. */
export class SchemaWaitAbortedError extends Error {
  override readonly name = 'SchemaWaitAbortedError';
}

/**
 * Waits until the database's schema serves this build ({@link MigrationStatus.servesThisBuild}):
 * what a service does at start-up when something else migrates its database (MIGRATE_ON_START=false,
 * a Helm hook running `main.js --migrate`). Polls every 2 s and says what it waits for (the
 * pending, changed or unfinished migrations) at most every 15 s. A database ahead of this build
 * (a newer release's migrations applied: a rollback) is accepted with a warning naming them.
 * A database error other than a migration error (a restart, a blip) is logged and polled through.
 */
export async function waitForSchema(source: SchemaStatusSource, migrationsDir: string, options: SchemaWaitOptions): Promise<MigrationStatus> {
  const { logger, signal } = options;
  const pollIntervalMs = options.pollIntervalMs ?? SCHEMA_POLL_INTERVAL_MS;
  const logIntervalMs = options.logIntervalMs ?? SCHEMA_WAIT_LOG_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, abort?: AbortSignal) => delay(ms, undefined, { signal: abort }));
  const database = source.describe();
  let waited = false;
  let lastLogAt: number | undefined;
  for (;;) {
    stopIfAborted(signal, database, logger);
    let status: MigrationStatus | undefined;
    let problem: string;
    try {
      status = await source.migrationStatus(migrationsDir);
      problem = whatIsMissing(status);
    } catch (error) {
      // A folder or history this build cannot read will not fix itself: fail the start.
      if (error instanceof MigrationError) throw error;
      problem = `cannot read its migration history: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (status?.servesThisBuild) {
      if (waited) logger.info(`database ${database} now serves this build (${status.applied.length} migration${status.applied.length === 1 ? '' : 's'} applied)`);
      warnIfAhead(status, database, logger);
      return status;
    }
    waited = true;
    if (lastLogAt === undefined || now() - lastLogAt >= logIntervalMs) {
      logger.info(`waiting for database ${database} to serve this build (MIGRATE_ON_START=false; apply with main.js --migrate): ${problem}`);
      lastLogAt = now();
    }
    try {
      await sleep(pollIntervalMs, signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
  }
}

function stopIfAborted(signal: AbortSignal | undefined, database: string, logger: PersistenceLogger): void {
  if (!signal?.aborted) return;
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'stop requested');
  const message = `stopped waiting for database ${database} to serve this build (${reason})`;
  logger.info(message);
  throw new SchemaWaitAbortedError(message);
}

function whatIsMissing(status: MigrationStatus): string {
  const parts = [
    status.pending.length > 0 ? `pending ${status.pending.join(', ')}` : '',
    status.changed.length > 0 ? `changed after they were applied (restore the files) ${status.changed.join(', ')}` : '',
    status.unfinished.length > 0 ? `unfinished (repair by hand) ${status.unfinished.join(', ')}` : '',
  ];
  return parts.filter((part) => part !== '').join('; ');
}

function warnIfAhead(status: MigrationStatus, database: string, logger: PersistenceLogger): void {
  if (status.missing.length === 0) return;
  logger.warn(
    `database ${database} is ahead of this build: it has migrations this build does not know (applied by a newer release): ` +
      `${status.missing.join(', ')}. Serving anyway: migrations are expand-only, so this build runs on the newer schema`,
  );
}

import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { displayPath } from '../display-path';
import { type PersistenceLogger, silentLogger } from '../logger';
import type { SqlSession } from '../sql-session';
import {
  AppliedMigrationMissingError,
  MigrationAbortedError,
  MigrationChecksumMismatchError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  UnfinishedMigrationError,
} from './migration-errors';
import { type MigrationFile, readMigrationFiles } from './migration-files';
import { ensureHistoryTable, type HistoryEntry, readHistory, recordApplied } from './migration-history';
import { compareWithHistory, type MigrationStatus } from './migration-status';

/**
 * Key of the PostgreSQL advisory lock held while migrating. It is the key Prisma Migrate
 * uses, so this runner and `prisma migrate deploy` also keep out of each other's way.
 */
export const MIGRATION_LOCK_KEY = 72707369;

/** The database a runner migrates: anything that can describe itself and lend a dedicated connection. */
export interface MigrationTarget {
  describe(): string;
  openSession(): Promise<SqlSession>;
}

/** How a {@link MigrationRunner} behaves. */
export interface MigrationRunnerOptions {
  /** Folder holding `<yyyymmddhhmmss>_<name>/migration.sql`, e.g. `apps/registry-service/prisma/migrations`. */
  readonly migrationsDir: string;
  /** Where progress goes (one line per applied migration). Silent by default. */
  readonly logger?: PersistenceLogger;
  /** Longest wait for another process's migration lock; waits for ever when unset. */
  readonly lockTimeoutMs?: number;
  /**
   * Once aborted, the run applies no further migration: the one in flight commits or rolls back
   * as a whole, then the run rejects with a {@link MigrationAbortedError}.
   */
  readonly signal?: AbortSignal;
}

/** One migration applied by a run. */
export interface AppliedMigration {
  readonly name: string;
  readonly durationMs: number;
}

/** What a run did. */
export interface MigrationReport {
  /** Migrations this run applied, in order; empty when the database was up to date. */
  readonly applied: readonly AppliedMigration[];
  /** Migrations that were applied before this run. */
  readonly alreadyApplied: readonly string[];
}

/**
 * Applies a service's Prisma migrations without the Prisma CLI: in lexical order, each in its
 * own transaction together with its `_prisma_migrations` record, under a session advisory lock
 * held on one connection for the whole run, so concurrent starts of the same service migrate
 * once. Refuses to run when an applied migration was edited, is missing from the folder, or
 * was left unfinished by another tool. A migration that must run outside a transaction
 * (e.g. `CREATE INDEX CONCURRENTLY`) is not supported.
 */
export class MigrationRunner {
  private readonly migrationsDir: string;
  private readonly logger: PersistenceLogger;

  constructor(
    private readonly target: MigrationTarget,
    private readonly options: MigrationRunnerOptions,
  ) {
    this.migrationsDir = resolve(options.migrationsDir);
    this.logger = options.logger ?? silentLogger;
  }

  /** Applies every pending migration; a no-op when the database is up to date. */
  async run(): Promise<MigrationReport> {
    const files = await readMigrationFiles(this.migrationsDir);
    const session = await this.target.openSession();
    let healthy = true;
    try {
      await this.acquireLock(session).catch((error: unknown) => {
        healthy = error instanceof MigrationLockTimeoutError;
        throw error;
      });
      try {
        return await this.applyPending(session, files);
      } finally {
        healthy = await releaseLockOf(session);
      }
    } finally {
      // A connection whose lock state is unknown must not go back to the pool.
      await session.release({ discard: !healthy });
    }
  }

  /** Compares the database with the folder, without taking the lock or changing anything. */
  async status(): Promise<MigrationStatus> {
    const files = await readMigrationFiles(this.migrationsDir);
    const session = await this.target.openSession();
    try {
      return compareWithHistory(files, await readHistory(session));
    } finally {
      await session.release();
    }
  }

  private async applyPending(session: SqlSession, files: readonly MigrationFile[]): Promise<MigrationReport> {
    await ensureHistoryTable(session);
    const history = await readHistory(session);
    const status = compareWithHistory(files, history);
    this.refuseUnsafeHistory(status, files, history);

    const database = this.target.describe();
    if (status.pending.length === 0) {
      this.logger.info(`database ${database} is up to date (${plural(status.applied.length, 'migration')} applied)`);
      return { applied: [], alreadyApplied: status.applied };
    }
    this.logger.info(`migrating database ${database}: ${plural(status.pending.length, 'pending migration')}`);
    const latestApplied = status.applied.at(-1);
    const applied: AppliedMigration[] = [];
    for (const migration of files.filter((file) => status.pending.includes(file.name))) {
      this.stopIfAborted(status.pending.slice(applied.length), applied.length);
      if (latestApplied !== undefined && migration.name < latestApplied) {
        this.logger.warn(`migration ${migration.name} is older than the latest applied migration ${latestApplied}; applying it anyway`);
      }
      applied.push(await this.apply(session, migration));
    }
    this.logger.info(`database ${database} is up to date (${plural(applied.length, 'migration')} applied now, ${status.applied.length} before)`);
    return { applied, alreadyApplied: status.applied };
  }

  private async apply(session: SqlSession, migration: MigrationFile): Promise<AppliedMigration> {
    const startedAt = performance.now();
    try {
      await session.transaction(async (tx) => {
        await tx.execScript(migration.script);
        await recordApplied(tx, migration);
      });
    } catch (error) {
      throw new MigrationFailedError(migration.name, migration.file, error, lineOfError(migration.script, error));
    }
    const durationMs = Math.round(performance.now() - startedAt);
    this.logger.info(`applied migration ${migration.name} (${durationMs} ms)`);
    return { name: migration.name, durationMs };
  }

  private stopIfAborted(notApplied: readonly string[], appliedNow: number): void {
    const signal = this.options.signal;
    if (signal?.aborted) {
      throw new MigrationAbortedError(this.target.describe(), notApplied, appliedNow, signal.reason);
    }
  }

  private refuseUnsafeHistory(status: MigrationStatus, files: readonly MigrationFile[], history: readonly HistoryEntry[]): void {
    const [unfinished] = status.unfinished;
    if (unfinished !== undefined) {
      throw new UnfinishedMigrationError(unfinished);
    }
    if (status.missing.length > 0) {
      throw new AppliedMigrationMissingError(status.missing, displayPath(this.migrationsDir));
    }
    for (const file of files.filter((candidate) => status.changed.includes(candidate.name))) {
      const recorded = history.findLast((entry) => entry.name === file.name);
      throw new MigrationChecksumMismatchError(file.name, file.file, recorded?.checksum ?? '', file.checksum);
    }
  }

  private async acquireLock(session: SqlSession): Promise<void> {
    const [attempt] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS "locked"', [MIGRATION_LOCK_KEY]);
    if (attempt?.locked) {
      return;
    }
    const database = this.target.describe();
    this.logger.info(`waiting for the migration lock on database ${database}: another process is migrating it`);
    const timeoutMs = this.options.lockTimeoutMs;
    if (timeoutMs !== undefined) {
      await session.execScript(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    }
    try {
      await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    } catch (error) {
      if ((error as { code?: unknown }).code === '55P03' && timeoutMs !== undefined) {
        throw new MigrationLockTimeoutError(database, timeoutMs);
      }
      throw error;
    } finally {
      if (timeoutMs !== undefined) {
        await session.execScript('RESET lock_timeout');
      }
    }
  }
}

async function releaseLockOf(session: SqlSession): Promise<boolean> {
  try {
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    return true;
  } catch {
    return false;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The 1-based line of the script a PostgreSQL error points at, when it says where. */
function lineOfError(script: string, error: unknown): number | undefined {
  const position = Number((error as { position?: unknown }).position);
  if (!Number.isInteger(position) || position < 1) {
    return undefined;
  }
  return script.slice(0, position - 1).split('\n').length;
}

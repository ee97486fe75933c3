import type { PrismaPg } from '@prisma/adapter-pg';
import type { PrismaPGlite } from 'pglite-prisma-adapter';
import type { PersistenceLogger } from './logger';
import { type MigrationReport, MigrationRunner } from './migrations/migration-runner';
import type { MigrationStatus } from './migrations/migration-status';
import type { SqlSession } from './sql-session';

/** Which engine a {@link Database} runs on. */
export type DatabaseKind = 'postgres' | 'pglite';

/** The Prisma driver adapter factory of a {@link Database}: what `new PrismaClient({ adapter })` takes. */
export type PrismaAdapter = PrismaPg | PrismaPGlite;

/** Options of {@link Database.migrate}. */
export interface MigrateOptions {
  /** Where progress goes; defaults to the logger given to `openDatabase`. */
  readonly logger?: PersistenceLogger;
  /** Longest wait for another process's migration lock; waits for ever when unset. */
  readonly lockTimeoutMs?: number;
  /**
   * Stops the run before the next migration once aborted (the one in flight finishes or rolls
   * back as a whole); the run then rejects with a MigrationAbortedError.
   */
  readonly signal?: AbortSignal;
}

/** A service's own database, open: PostgreSQL (production, CI) or embedded PGlite (laptop, tests). */
export interface Database {
  /** The engine. */
  readonly kind: DatabaseKind;
  /** The service that owns this database. */
  readonly service: string;
  /** Pass to the service's generated client: `new PrismaClient({ adapter: database.adapter })`. */
  readonly adapter: PrismaAdapter;
  /**
   * What this database is, for the start-up log line; never contains a password.
   * E.g. `postgres://postgres@127.0.0.1:5432/registry` or `pglite:.data/registry-service/pglite`.
   */
  describe(): string;
  /** Lends a dedicated connection for maintenance work (PGlite: the one connection, exclusively). */
  openSession(): Promise<SqlSession>;
  /** Applies the pending migrations of `migrationsDir` (see {@link MigrationRunner}). */
  migrate(migrationsDir: string, options?: MigrateOptions): Promise<MigrationReport>;
  /** Compares the database with `migrationsDir` without changing anything. */
  migrationStatus(migrationsDir: string): Promise<MigrationStatus>;
  /** True when every migration of `migrationsDir` is applied unchanged and the database has no others. */
  schemaIsCurrent(migrationsDir: string): Promise<boolean>;
  /**
   * For readiness: true when the schema serves this build (see {@link MigrationStatus.servesThisBuild}):
   * nothing pending, changed or unfinished; a database ahead of the folder (a newer release's
   * migrations applied) still serves it.
   */
  schemaServesThisBuild(migrationsDir: string): Promise<boolean>;
  /** Closes every connection. Disconnect Prisma Client first. Safe to call twice. */
  close(): Promise<void>;
}

/** What the engine-specific classes share: migrations run through their sessions. */
export abstract class BaseDatabase implements Database {
  abstract readonly kind: DatabaseKind;
  abstract readonly adapter: PrismaAdapter;

  protected constructor(
    readonly service: string,
    protected readonly logger: PersistenceLogger,
  ) {}

  abstract describe(): string;
  abstract openSession(): Promise<SqlSession>;
  abstract close(): Promise<void>;

  migrate(migrationsDir: string, options: MigrateOptions = {}): Promise<MigrationReport> {
    return new MigrationRunner(this, {
      migrationsDir,
      logger: options.logger ?? this.logger,
      lockTimeoutMs: options.lockTimeoutMs,
      signal: options.signal,
    }).run();
  }

  migrationStatus(migrationsDir: string): Promise<MigrationStatus> {
    return new MigrationRunner(this, { migrationsDir }).status();
  }

  async schemaIsCurrent(migrationsDir: string): Promise<boolean> {
    return (await this.migrationStatus(migrationsDir)).isCurrent;
  }

  async schemaServesThisBuild(migrationsDir: string): Promise<boolean> {
    return (await this.migrationStatus(migrationsDir)).servesThisBuild;
  }
}

export type { Database, DatabaseKind, MigrateOptions, PrismaAdapter } from './database';
export { DatabaseConfigError, DatabaseConnectionError } from './database-errors';
export { type PersistenceLogger, silentLogger } from './logger';
export {
  AppliedMigrationMissingError,
  MigrationAbortedError,
  MigrationChecksumMismatchError,
  MigrationError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  MigrationsDirectoryError,
  UnfinishedMigrationError,
} from './migrations/migration-errors';
export {
  type AppliedMigration,
  type MigrationReport,
  MigrationRunner,
  type MigrationRunnerOptions,
  type MigrationTarget,
  MIGRATION_LOCK_KEY,
} from './migrations/migration-runner';
export type { MigrationStatus } from './migrations/migration-status';
export { defaultDataDir, openDatabase, type OpenDatabaseOptions } from './open-database';
export { createPrismaClient, type PrismaClientClass } from './prisma-client';
export { runMigrations, type RunMigrationsOptions } from './run-migrations';
export type { SqlExecutor, SqlSession } from './sql-session';

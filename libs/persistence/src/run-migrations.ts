import type { MigrateOptions } from './database';
import type { MigrationReport } from './migrations/migration-runner';
import { openDatabase, type OpenDatabaseOptions } from './open-database';

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions extends OpenDatabaseOptions, MigrateOptions {
  /** The service's migrations folder, e.g. `apps/registry-service/prisma/migrations`. */
  readonly migrationsDir: string;
}

/**
 * Opens the database, applies pending migrations and closes it again: the whole job of a
 * migration step that runs on its own (a Helm pre-upgrade hook, a CI step), with no Nest app.
 * The caller reads its config (DATABASE_URL and friends) the way the service does. Each
 * applied migration is logged on `logger`; an aborted `signal` stops it before the next one.
 * It refuses (like `migrate`) a database that has migrations this folder lacks, so an older
 * release's migration step never runs against a newer schema.
 *
 * @example
 * await runMigrations({ service: 'registry-service', databaseUrl: process.env.DATABASE_URL, migrationsDir, logger });
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<MigrationReport> {
  const database = await openDatabase(options);
  try {
    return await database.migrate(options.migrationsDir, options);
  } finally {
    await database.close();
  }
}

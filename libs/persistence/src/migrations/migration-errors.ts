import { describeCause } from '../database-errors';

/** Base class of every error the migration runner throws. */
export class MigrationError extends Error {
  override readonly name: string = 'MigrationError';
}

/** The migrations folder is missing or holds something that is not a migration. */
export class MigrationsDirectoryError extends MigrationError {
  override readonly name = 'MigrationsDirectoryError';
}

/** An applied migration's file no longer matches the checksum recorded when it was applied. */
export class MigrationChecksumMismatchError extends MigrationError {
  override readonly name = 'MigrationChecksumMismatchError';

  constructor(
    readonly migrationName: string,
    readonly file: string,
    readonly recordedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${migrationName} was changed after it was applied: ${file} has sha256 ${fileChecksum}, ` +
        `the database recorded ${recordedChecksum}. Never edit an applied migration: restore the file and add a new migration.`,
    );
  }
}

/** The database has applied migrations that the migrations folder does not have. */
export class AppliedMigrationMissingError extends MigrationError {
  override readonly name = 'AppliedMigrationMissingError';

  constructor(
    readonly migrationNames: readonly string[],
    readonly migrationsDir: string,
  ) {
    super(
      `the database has applied migrations that are not in ${migrationsDir}: ${migrationNames.join(', ')}. ` +
        'Is this build older than the database?',
    );
  }
}

/** A migration was started by another tool (e.g. `prisma migrate deploy`) and never finished. */
export class UnfinishedMigrationError extends MigrationError {
  override readonly name = 'UnfinishedMigrationError';

  constructor(readonly migrationName: string) {
    super(
      `migration ${migrationName} was started but never finished, so the database may be half-migrated. ` +
        `Repair the schema by hand, then mark it rolled back: UPDATE _prisma_migrations SET rolled_back_at = now() ` +
        `WHERE migration_name = '${migrationName}' AND finished_at IS NULL`,
    );
  }
}

/** A migration's SQL failed; its transaction was rolled back and nothing of it was recorded. */
export class MigrationFailedError extends MigrationError {
  override readonly name = 'MigrationFailedError';

  constructor(
    readonly migrationName: string,
    readonly file: string,
    cause: unknown,
    line?: number,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(`migration ${migrationName} failed and was rolled back (${where}): ${describeCause(cause)}`, { cause });
  }
}

/** Another process held the migration lock for longer than the allowed wait. */
export class MigrationLockTimeoutError extends MigrationError {
  override readonly name = 'MigrationLockTimeoutError';

  constructor(
    readonly database: string,
    readonly waitedMs: number,
  ) {
    super(`gave up waiting for the migration lock on ${database} after ${waitedMs} ms: another process is still migrating it`);
  }
}

/** The run was asked to stop (e.g. SIGTERM) and applied no further migration. */
export class MigrationAbortedError extends MigrationError {
  override readonly name = 'MigrationAbortedError';

  constructor(
    readonly database: string,
    readonly notApplied: readonly string[],
    readonly appliedNow: number,
    reason?: unknown,
  ) {
    const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'stop requested';
    const left = notApplied.length === 0 ? 'nothing left to apply' : `not applied: ${notApplied.join(', ')}`;
    super(`stopped migrating database ${database} (${why}) after applying ${appliedNow} migration${appliedNow === 1 ? '' : 's'}; ${left}`);
  }
}

import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../sql-session';
import type { MigrationFile } from './migration-files';

/**
 * Prisma Migrate's own bookkeeping table, column for column, so that `prisma migrate status`
 * and `prisma migrate deploy` keep working against a database this runner migrated.
 */
const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** One row of `_prisma_migrations` that was not rolled back. */
export interface HistoryEntry {
  readonly name: string;
  readonly checksum: string;
  readonly finished: boolean;
}

/** Creates `_prisma_migrations` if it does not exist yet. Call it only while holding the migration lock. */
export async function ensureHistoryTable(db: SqlExecutor): Promise<void> {
  await db.execScript(CREATE_HISTORY_TABLE);
}

/** The migrations the database records as applied (or started), oldest first; empty when there is no history yet. */
export async function readHistory(db: SqlExecutor): Promise<HistoryEntry[]> {
  const [table] = await db.query<{ exists: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`);
  if (!table?.exists) {
    return [];
  }
  const rows = await db.query<{ migration_name: string; checksum: string; finished: boolean }>(
    `SELECT "migration_name", "checksum", "finished_at" IS NOT NULL AS "finished"
       FROM "_prisma_migrations"
      WHERE "rolled_back_at" IS NULL
      ORDER BY "started_at", "migration_name"`,
  );
  return rows.map((row) => ({ name: row.migration_name, checksum: row.checksum, finished: row.finished }));
}

/** Records a migration as applied, inside the transaction that applied it. */
export async function recordApplied(tx: SqlExecutor, migration: MigrationFile): Promise<void> {
  await tx.query(
    `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count")
     VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
    [randomUUID(), migration.checksum, migration.name],
  );
}

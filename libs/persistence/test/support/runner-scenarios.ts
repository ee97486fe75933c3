import { createHash } from 'node:crypto';
import { appendFile, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  AppliedMigrationMissingError,
  type Database,
  MigrationAbortedError,
  MigrationChecksumMismatchError,
  MigrationFailedError,
  UnfinishedMigrationError,
} from '../../src';
import { copyFixtureMigrations, FIXTURE_MIGRATIONS, type MigrationsCopy, recordingLogger } from './migration-fixtures';

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  applied_steps_count: number;
  logs: string | null;
}

/**
 * The migration runner's behaviour, registered as tests against one engine. `openFresh`
 * returns an empty database, new for each test; the test closes it.
 */
export function describeMigrationRunnerOn(engine: string, openFresh: () => Promise<Database>): void {
  describe(`migration runner on ${engine}`, () => {
    let database: Database;
    let migrations: MigrationsCopy;

    beforeEach(async () => {
      database = await openFresh();
      migrations = await copyFixtureMigrations();
    });

    afterEach(async () => {
      await database.close();
      await migrations.remove();
    });

    const query = async <Row extends object>(sql: string): Promise<Row[]> => {
      const session = await database.openSession();
      try {
        return await session.query<Row>(sql);
      } finally {
        await session.release();
      }
    };
    const history = () =>
      query<HistoryRow>(
        `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count, logs
           FROM _prisma_migrations ORDER BY started_at, migration_name`,
      );
    const sha256Of = async (name: string) => createHash('sha256').update(await readFile(migrations.fileOf(name))).digest('hex');

    it('applies every migration in order, records each once with the sha256 of its file, and logs each', async () => {
      const logger = recordingLogger();

      const report = await database.migrate(migrations.dir, { logger });

      expect(report.applied.map((migration) => migration.name)).toEqual(FIXTURE_MIGRATIONS);
      expect(report.alreadyApplied).toEqual([]);
      expect(await query('SELECT name, color FROM widgets')).toEqual([{ name: 'first', color: 'red' }]);
      const rows = await history();
      expect(rows.map((row) => row.migration_name)).toEqual(FIXTURE_MIGRATIONS);
      expect(rows.map((row) => row.checksum)).toEqual(await Promise.all(FIXTURE_MIGRATIONS.map(sha256Of)));
      expect(rows.every((row) => row.finished && row.applied_steps_count === 1 && row.logs === null)).toBe(true);
      expect(logger.lines).toContainEqual(expect.stringMatching(/^info: applied migration 20260101000000_create_widgets \(\d+ ms\)$/));
    });

    it('does nothing on a second run and says the database is up to date', async () => {
      await database.migrate(migrations.dir);
      const logger = recordingLogger();

      const report = await database.migrate(migrations.dir, { logger });

      expect(report).toEqual({ applied: [], alreadyApplied: FIXTURE_MIGRATIONS });
      expect(await history()).toHaveLength(3);
      expect(await query('SELECT name FROM widgets')).toHaveLength(1);
      expect(logger.lines).toEqual([`info: database ${database.describe()} is up to date (3 migrations applied)`]);
    });

    it('applies only the migration added since the last run', async () => {
      await database.migrate(migrations.dir);
      await migrations.write('20260104000000_add_widget_size', 'ALTER TABLE "widgets" ADD COLUMN "size" INTEGER;\n');

      const report = await database.migrate(migrations.dir);

      expect(report.applied.map((migration) => migration.name)).toEqual(['20260104000000_add_widget_size']);
      expect(report.alreadyApplied).toEqual(FIXTURE_MIGRATIONS);
    });

    it('reports readiness through schemaIsCurrent and migrationStatus', async () => {
      expect(await database.schemaIsCurrent(migrations.dir)).toBe(false);
      expect((await database.migrationStatus(migrations.dir)).pending).toEqual(FIXTURE_MIGRATIONS);

      await database.migrate(migrations.dir);

      expect(await database.schemaIsCurrent(migrations.dir)).toBe(true);
    });

    it('serves this build on a database ahead of the folder (rollback), while migrate still refuses it', async () => {
      await database.migrate(migrations.dir);
      await rm(dirname(migrations.fileOf(FIXTURE_MIGRATIONS[2]!)), { recursive: true });

      expect(await database.schemaServesThisBuild(migrations.dir)).toBe(true);
      expect(await database.schemaIsCurrent(migrations.dir)).toBe(false);
      await expect(database.migrate(migrations.dir)).rejects.toThrow(AppliedMigrationMissingError);
    });

    it('does not serve this build while migrations are pending', async () => {
      expect(await database.schemaServesThisBuild(migrations.dir)).toBe(false);

      await database.migrate(migrations.dir);

      expect(await database.schemaServesThisBuild(migrations.dir)).toBe(true);
    });

    it('applies no migration once its signal is aborted, and names what is left', async () => {
      const stop = new AbortController();
      stop.abort(new Error('SIGTERM received'));

      const run = database.migrate(migrations.dir, { signal: stop.signal });

      await expect(run).rejects.toThrow(MigrationAbortedError);
      await expect(run).rejects.toThrow(`(SIGTERM received) after applying 0 migrations; not applied: ${FIXTURE_MIGRATIONS.join(', ')}`);
      expect((await database.migrationStatus(migrations.dir)).pending).toEqual(FIXTURE_MIGRATIONS);
    });

    it('refuses to run when an applied migration file changed, naming the migration and its file', async () => {
      await database.migrate(migrations.dir);
      const recorded = await sha256Of(FIXTURE_MIGRATIONS[1]!);
      await appendFile(migrations.fileOf(FIXTURE_MIGRATIONS[1]!), '-- an innocent-looking edit\n');
      await migrations.write('20260104000000_add_widget_size', 'ALTER TABLE "widgets" ADD COLUMN "size" INTEGER;\n');

      const run = database.migrate(migrations.dir);

      await expect(run).rejects.toThrow(MigrationChecksumMismatchError);
      await expect(run).rejects.toThrow(`migration ${FIXTURE_MIGRATIONS[1]} was changed after it was applied`);
      await expect(run).rejects.toThrow(migrations.fileOf(FIXTURE_MIGRATIONS[1]!));
      await expect(run).rejects.toThrow(`the database recorded ${recorded}`);
      expect((await history()).map((row) => row.migration_name)).toEqual(FIXTURE_MIGRATIONS);
      expect((await database.migrationStatus(migrations.dir)).changed).toEqual([FIXTURE_MIGRATIONS[1]]);
      expect(await database.schemaIsCurrent(migrations.dir)).toBe(false);
    });

    it('refuses to run when the database has an applied migration missing from the folder', async () => {
      await database.migrate(migrations.dir);
      await rm(dirname(migrations.fileOf(FIXTURE_MIGRATIONS[2]!)), { recursive: true });

      const run = database.migrate(migrations.dir);

      await expect(run).rejects.toThrow(AppliedMigrationMissingError);
      await expect(run).rejects.toThrow(`the database has applied migrations that are not in ${migrations.dir}: ${FIXTURE_MIGRATIONS[2]}`);
      expect((await database.migrationStatus(migrations.dir)).missing).toEqual([FIXTURE_MIGRATIONS[2]]);
      expect(await database.schemaIsCurrent(migrations.dir)).toBe(false);
    });

    it('rolls back a failing migration entirely, says where it failed, and applies it once fixed', async () => {
      await database.migrate(migrations.dir);
      const broken = '20260104000000_add_gadgets';
      await migrations.write(broken, 'CREATE TABLE "gadgets" ("id" INTEGER);\n\nINSERT INTO "gadgets" VALUES (1);\nSELEKT 1;\n');

      const run = database.migrate(migrations.dir);

      await expect(run).rejects.toThrow(MigrationFailedError);
      await expect(run).rejects.toThrow(`migration ${broken} failed and was rolled back (${migrations.fileOf(broken)}:4): syntax error at or near "SELEKT"`);
      expect(await query(`SELECT to_regclass('gadgets') IS NULL AS "absent"`)).toEqual([{ absent: true }]);
      expect(await history()).toHaveLength(3);

      await migrations.write(broken, 'CREATE TABLE "gadgets" ("id" INTEGER);\n');
      expect((await database.migrate(migrations.dir)).applied.map((migration) => migration.name)).toEqual([broken]);
    });

    it('refuses to run over a migration another tool started and never finished', async () => {
      await database.migrate(migrations.dir);
      await query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ('00000000-0000-0000-0000-000000000001', 'x', '20260104000000_half_done', now(), 0)`,
      );

      await expect(database.migrate(migrations.dir)).rejects.toThrow(UnfinishedMigrationError);
      await expect(database.migrate(migrations.dir)).rejects.toThrow('migration 20260104000000_half_done was started but never finished');
    });
  });
}

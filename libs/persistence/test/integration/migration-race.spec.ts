import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATION_LOCK_KEY, MigrationLockTimeoutError, openDatabase } from '../../src';
import { compileLibrary } from '../support/compile-library';
import { type FreshPostgresDatabase, freshPostgresDatabase } from '../support/fresh-postgres-database';
import { copyFixtureMigrations, FIXTURE_MIGRATIONS, type MigrationsCopy } from '../support/migration-fixtures';

jest.setTimeout(60_000);

interface ChildResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

interface ChildReport {
  applied: string[];
  alreadyApplied: string[];
  lines: string[];
}

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

describe('two processes migrating the same PostgreSQL database at once', () => {
  let testDatabase: FreshPostgresDatabase;
  let migrations: MigrationsCopy;
  let buildDir: string;
  let libraryEntry: string;
  let lockHolder: Client;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    testDatabase = await freshPostgresDatabase('strata_race');
    migrations = await copyFixtureMigrations();
    buildDir = await mkdtemp(join(tmpdir(), 'strata-persistence-build-'));
    libraryEntry = await compileLibrary(buildDir);
    lockHolder = new Client({ connectionString: testDatabase.url });
    await lockHolder.connect();
  });

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
      }
    }
    await lockHolder.end();
    await testDatabase.drop();
    await migrations.remove();
    await rm(buildDir, { recursive: true, force: true });
  });

  const startMigrating = (): Promise<ChildResult> => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'migrate-in-child.js')], {
      env: {
        ...process.env,
        NODE_PATH: join(REPO_ROOT, 'node_modules'),
        PERSISTENCE_LIB: libraryEntry,
        DATABASE_URL: testDatabase.url,
        MIGRATIONS_DIR: migrations.dir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
    });
  };

  const waitersForTheLock = async (): Promise<number> => {
    const { rows } = await lockHolder.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = $1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [MIGRATION_LOCK_KEY],
    );
    return rows[0]!.waiting;
  };

  it('applies each migration exactly once: one process migrates, the other waits for the lock and finds nothing to do', async () => {
    // Hold the lock first so that both processes are certainly racing for it when it is freed.
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const exits = [startMigrating(), startMigrating()];
    let exitedEarly = false;
    void Promise.race(exits).then(() => (exitedEarly = true));
    while ((await waitersForTheLock()) < 2 && !exitedEarly) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    const results = await Promise.all(exits);

    expect(results.map((result) => [result.exitCode, result.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const reports = results.map((result) => JSON.parse(result.stdout) as ChildReport);
    const url = new URL(testDatabase.url);
    const described = `${url.protocol}//${url.username}@${url.host}/${testDatabase.name}`;
    for (const report of reports) {
      expect(report.lines).toContain(`waiting for the migration lock on database ${described}: another process is migrating it`);
    }
    const [migrator, latecomer] = reports[0]!.applied.length > 0 ? reports : [reports[1]!, reports[0]!];
    expect(migrator!.applied).toEqual(FIXTURE_MIGRATIONS);
    expect(latecomer!).toMatchObject({ applied: [], alreadyApplied: FIXTURE_MIGRATIONS });
    const { rows } = await lockHolder.query<{ migration_name: string; times: number }>(
      'SELECT migration_name, count(*)::int AS times FROM _prisma_migrations GROUP BY migration_name ORDER BY migration_name',
    );
    expect(rows).toEqual(FIXTURE_MIGRATIONS.map((name) => ({ migration_name: name, times: 1 })));
    expect((await lockHolder.query('SELECT count(*)::int AS n FROM widgets')).rows).toEqual([{ n: 1 }]);
  });

  it('gives up with a clear error when another process holds the lock longer than the allowed wait', async () => {
    const database = await openDatabase({ service: 'persistence-race', databaseUrl: testDatabase.url });
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await expect(database.migrate(migrations.dir, { lockTimeoutMs: 50 })).rejects.toThrow(MigrationLockTimeoutError);
      await expect(database.migrate(migrations.dir, { lockTimeoutMs: 50 })).rejects.toThrow(
        `gave up waiting for the migration lock on ${database.describe()} after 50 ms: another process is still migrating it`,
      );
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await database.close();
    }
  });
});

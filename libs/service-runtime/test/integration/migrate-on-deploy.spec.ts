import { createLogger } from '@strata/observability';
import { openDatabase, runMigrations } from '@strata/persistence';
import { freePort } from '@strata/ports';
import { Writable } from 'node:stream';
import { loadServiceConfig, type RunningService, SchemaWaitAbortedError, startService } from '../../src';
import { slowService } from '../fixtures/slow-service';
import { type BuiltService, buildService, runBuiltService } from '../support/built-service';
import { type FreshPostgresDatabase, freshPostgresDatabase } from '../support/fresh-postgres-database';

// How a release migrates in Kubernetes: a hook Job runs `main.js --migrate` once, and the pods
// (MIGRATE_ON_START=false) wait for the schema and report ready only once it serves their build.

jest.setTimeout(120_000);

const NEWER_MIGRATION = '20991231000000_added_by_a_newer_release';

const databases: FreshPostgresDatabase[] = [];
async function freshDatabase(): Promise<FreshPostgresDatabase> {
  const database = await freshPostgresDatabase('strata_runtime_migrate');
  databases.push(database);
  return database;
}

afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

/** Records what `applyNewerRelease` would leave in `_prisma_migrations`: a migration this build does not know. */
const recordNewerMigration = (database: FreshPostgresDatabase): Promise<void> =>
  database.query(
    `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count")
     VALUES ('00000000-0000-0000-0000-000000000001', 'newer', '${NEWER_MIGRATION}', now(), now(), 1)`,
  );

describe('registry-service built, with --migrate', () => {
  let build: BuiltService;

  beforeAll(async () => {
    build = await buildService('registry-service');
  });

  afterAll(async () => {
    await build?.remove();
  });

  it('applies every migration to a fresh database, says so line by line, exits 0 and leaves the schema current', async () => {
    const database = await freshDatabase();

    const run = runBuiltService(build.mainJs, ['--migrate'], { DATABASE_URL: database.url });

    expect(await run.exited).toBe(0);
    const output = run.stdout();
    expect(output).toMatch(/applied migration \d{14}_\w+ \(\d+ ms\)/);
    expect(output).toMatch(/registry-service: schema current, [1-9]\d* applied/);
    expect(output).not.toMatch(/listening/);
    const opened = await openDatabase({ service: 'registry-service', databaseUrl: database.url });
    try {
      expect(await opened.schemaIsCurrent(build.migrationsDir)).toBe(true);
    } finally {
      await opened.close();
    }

    const again = runBuiltService(build.mainJs, ['--migrate'], { DATABASE_URL: database.url });
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toMatch(/registry-service: schema current, 0 applied/);
  });

  it('refuses (exit 1, one message on stderr) a database a newer release migrated: an older release must not migrate', async () => {
    const database = await freshDatabase();
    expect(await runBuiltService(build.mainJs, ['--migrate'], { DATABASE_URL: database.url }).exited).toBe(0);
    await recordNewerMigration(database);

    const run = runBuiltService(build.mainJs, ['--migrate'], { DATABASE_URL: database.url });

    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(`registry-service --migrate failed: the database has applied migrations that are not in`);
    expect(run.stderr()).toContain(NEWER_MIGRATION);
  });

  it('exits 1 with a clear message when the database cannot be reached', async () => {
    const database = await freshDatabase();
    const missing = new URL(database.url);
    missing.pathname = '/strata_runtime_no_such_database';

    const run = runBuiltService(build.mainJs, ['--migrate'], { DATABASE_URL: missing.toString() });

    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/^registry-service --migrate failed: cannot connect to database .*strata_runtime_no_such_database/);
  });

  it('with MIGRATE_ON_START=false waits on an unmigrated database without listening, and exits 0 on SIGTERM', async () => {
    const database = await freshDatabase();
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const run = runBuiltService(build.mainJs, [], {
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'false',
      BIND_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
    });

    await run.waitForOutput(/waiting for database .* to serve this build .*pending \d{14}_/);
    await expect(fetch(`http://127.0.0.1:${httpPort}/readyz`)).rejects.toThrow();
    run.signal('SIGTERM');

    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/stopped waiting for database .* \(SIGTERM received\)/);
    expect(run.stdout()).not.toMatch(/listening/);
  });
});

describe('startService with MIGRATE_ON_START=false', () => {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'runtime-test',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
        done();
      },
    }),
  });
  const logged = async (pattern: RegExp): Promise<void> => {
    while (!lines.some((line) => pattern.test(line))) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  async function configFor(database: FreshPostgresDatabase) {
    return loadServiceConfig(slowService.name, { grpc: await freePort(), http: await freePort() }, { BIND_HOST: '127.0.0.1', DATABASE_URL: database.url, MIGRATE_ON_START: 'false' });
  }

  beforeEach(() => lines.splice(0));

  it('does not start, listen or become ready until the migrations are applied, then becomes ready', async () => {
    const database = await freshDatabase();
    const config = await configFor(database);
    let started: RunningService | undefined;
    const starting = startService(slowService, config, { logger }).then((running) => (started = running));
    try {
      await logged(/waiting for database .* to serve this build .*pending 20261128000000_init/);
      expect(started).toBeUndefined();
      await expect(fetch(`http://127.0.0.1:${config.httpPort}/readyz`)).rejects.toThrow();

      await runMigrations({ service: slowService.name, databaseUrl: database.url, migrationsDir: slowService.migrationsDir });
      const running = await starting;

      expect((await fetch(`${running.httpUrl}/readyz`)).status).toBe(200);
      expect(lines.some((line) => line.includes('now serves this build'))).toBe(true);
    } finally {
      await (await starting).close('test');
    }
  });

  it('starts and stays ready on a database ahead of this build (a rollback), warning which migrations it does not know', async () => {
    const database = await freshDatabase();
    await runMigrations({ service: slowService.name, databaseUrl: database.url, migrationsDir: slowService.migrationsDir });
    await recordNewerMigration(database);

    const running = await startService(slowService, await configFor(database), { logger });
    try {
      expect((await fetch(`${running.httpUrl}/readyz`)).status).toBe(200);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`"level":"warn".*is ahead of this build.*${NEWER_MIGRATION}`)));
    } finally {
      await running.close('test');
    }
  });

  it('stops waiting when its signal aborts', async () => {
    const database = await freshDatabase();
    const stop = new AbortController();
    const starting = startService(slowService, await configFor(database), { logger, signal: stop.signal });
    await logged(/waiting for database/);

    stop.abort(new Error('SIGTERM received'));

    await expect(starting).rejects.toThrow(SchemaWaitAbortedError);
  });
});

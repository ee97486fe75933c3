import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src';
import { copyFixtureMigrations, FIXTURE_MIGRATIONS } from '../support/migration-fixtures';
import { describeMigrationRunnerOn } from '../support/runner-scenarios';

jest.setTimeout(60_000);

describeMigrationRunnerOn('PGlite in memory', () => openDatabase({ service: 'persistence-test', inMemory: true }));

describe('migration runner on PGlite with a data folder', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-pglite-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the data folder, keeps the migrated schema across a reopen, and has nothing to apply then', async () => {
    const dataDir = join(root, 'registry-service', 'pglite');
    const migrations = await copyFixtureMigrations();
    try {
      const first = await openDatabase({ service: 'registry-service', dataDir });
      expect(first.kind).toBe('pglite');
      expect(first.describe()).toBe(`pglite:${dataDir}`);
      expect((await first.migrate(migrations.dir)).applied.map((migration) => migration.name)).toEqual(FIXTURE_MIGRATIONS);
      await first.close();
      expect(await readdir(dataDir)).toContain('PG_VERSION');

      const reopened = await openDatabase({ service: 'registry-service', dataDir });
      try {
        expect(await reopened.migrate(migrations.dir)).toEqual({ applied: [], alreadyApplied: FIXTURE_MIGRATIONS });
      } finally {
        await reopened.close();
      }
    } finally {
      await migrations.remove();
    }
  });
});

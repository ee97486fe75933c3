import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationsDirectoryError } from './migration-errors';
import { readMigrationFiles } from './migration-files';

describe(readMigrationFiles.name, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-migrations-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const addMigration = async (name: string, sql: string) => {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  };

  it('reads migrations in lexical order with the sha256 of their bytes, skipping files such as migration_lock.toml', async () => {
    await addMigration('20260102000000_second', 'SELECT 2;\n');
    await addMigration('20260101000000_first', 'SELECT 1;\r\n');
    await writeFile(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');

    const migrations = await readMigrationFiles(dir);

    expect(migrations.map((migration) => migration.name)).toEqual(['20260101000000_first', '20260102000000_second']);
    expect(migrations[0]!.checksum).toBe(createHash('sha256').update('SELECT 1;\r\n').digest('hex'));
    expect(migrations[0]!.script).toBe('SELECT 1;\r\n');
  });

  it('refuses a folder that is not named <timestamp>_<name>', async () => {
    await addMigration('add_users', 'SELECT 1;');

    await expect(readMigrationFiles(dir)).rejects.toThrow(/add_users is not a migration folder/);
  });

  it('refuses a migration folder without migration.sql, naming it', async () => {
    await mkdir(join(dir, '20260101000000_empty'));

    await expect(readMigrationFiles(dir)).rejects.toThrow(/20260101000000_empty has no migration.sql/);
  });

  it('refuses a migrations folder that does not exist', async () => {
    const missing = join(dir, 'nope');

    await expect(readMigrationFiles(missing)).rejects.toThrow(MigrationsDirectoryError);
    await expect(readMigrationFiles(missing)).rejects.toThrow(`migrations folder ${missing} does not exist`);
  });
});

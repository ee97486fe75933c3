import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { displayPath } from '../display-path';
import { MigrationsDirectoryError } from './migration-errors';

/** Folder names Prisma Migrate writes: a 14-digit UTC timestamp, then a snake_case description. */
const MIGRATION_FOLDER = /^\d{14}_[a-z0-9_]+$/;

/** One migration as found on disk. */
export interface MigrationFile {
  /** Folder name, e.g. `20261128000000_init`; also the `migration_name` recorded in the database. */
  readonly name: string;
  /** Path of its `migration.sql`, relative to the working directory when below it (for messages). */
  readonly file: string;
  /** The SQL script. */
  readonly script: string;
  /** sha256 (hex) of the file's bytes — what Prisma records in `_prisma_migrations.checksum`. */
  readonly checksum: string;
}

/** Reads `<dir>/<timestamp>_<name>/migration.sql` in lexical (= chronological) order. */
export async function readMigrationFiles(migrationsDir: string): Promise<MigrationFile[]> {
  const dir = resolve(migrationsDir);
  const shownDir = displayPath(dir);
  const isDirectory = await stat(dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw new MigrationsDirectoryError(`migrations folder ${shownDir} does not exist`);
  }
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();

  const migrations: MigrationFile[] = [];
  for (const name of folders) {
    if (!MIGRATION_FOLDER.test(name) || name.length > 255) {
      throw new MigrationsDirectoryError(
        `${shownDir}${sep}${name} is not a migration folder: names are <yyyymmddhhmmss>_<snake_case_description>`,
      );
    }
    const path = join(dir, name, 'migration.sql');
    const bytes = await readFile(path).catch(() => {
      throw new MigrationsDirectoryError(`migration folder ${shownDir}${sep}${name} has no migration.sql`);
    });
    migrations.push({
      name,
      file: displayPath(path),
      script: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return migrations;
}


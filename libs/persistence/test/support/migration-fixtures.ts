import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The three fixture migrations, in order. */
export const FIXTURE_MIGRATIONS = ['20260101000000_create_widgets', '20260102000000_add_widget_color', '20260103000000_seed_widgets'];

const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'migrations');

/** A private, editable copy of the fixture migrations folder. */
export interface MigrationsCopy {
  readonly dir: string;
  /** Path of one migration's `migration.sql`. */
  fileOf(name: string): string;
  /** Adds (or overwrites) a migration. */
  write(name: string, sql: string): Promise<void>;
  /** Deletes the copy. */
  remove(): Promise<void>;
}

export async function copyFixtureMigrations(): Promise<MigrationsCopy> {
  const root = await mkdtemp(join(tmpdir(), 'strata-persistence-'));
  const dir = join(root, 'migrations');
  await cp(FIXTURE_DIR, dir, { recursive: true });
  const fileOf = (name: string) => join(dir, name, 'migration.sql');
  return {
    dir,
    fileOf,
    write: async (name, sql) => {
      await mkdir(join(dir, name), { recursive: true });
      await writeFile(fileOf(name), sql);
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** A logger that remembers its lines. */
export function recordingLogger(): { lines: string[]; info(m: string): void; warn(m: string): void; error(m: string): void } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
  };
}

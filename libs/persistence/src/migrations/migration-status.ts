import type { MigrationFile } from './migration-files';
import type { HistoryEntry } from './migration-history';

/** How a database's migration history compares with a migrations folder. */
export interface MigrationStatus {
  /** Applied migrations whose files are unchanged, oldest first. */
  readonly applied: readonly string[];
  /** Migrations in the folder not applied yet, in the order they would be applied. */
  readonly pending: readonly string[];
  /** Applied migrations whose file changed since (checksum mismatch). */
  readonly changed: readonly string[];
  /** Applied migrations that are not in the folder. */
  readonly missing: readonly string[];
  /** Migrations started by another tool and never finished. */
  readonly unfinished: readonly string[];
  /** True when every migration in the folder is applied unchanged and nothing is wrong. */
  readonly isCurrent: boolean;
  /**
   * True when this build can run on the database: nothing pending, changed or unfinished.
   * Unlike {@link isCurrent} it accepts a database that is ahead (`missing` migrations applied
   * by a newer release): migrations are expand-only, so older code keeps working on a newer
   * schema, which is what a rollback needs.
   */
  readonly servesThisBuild: boolean;
}

/** Compares the folder with the recorded history. Pure: no I/O. */
export function compareWithHistory(files: readonly MigrationFile[], history: readonly HistoryEntry[]): MigrationStatus {
  const recorded = new Map(history.map((entry) => [entry.name, entry]));
  const onDisk = new Set(files.map((file) => file.name));
  const applied: string[] = [];
  const pending: string[] = [];
  const changed: string[] = [];
  for (const file of files) {
    const entry = recorded.get(file.name);
    if (entry === undefined) {
      pending.push(file.name);
    } else if (entry.finished && entry.checksum !== file.checksum) {
      changed.push(file.name);
    } else if (entry.finished) {
      applied.push(file.name);
    }
  }
  const unfinished = history.filter((entry) => !entry.finished).map((entry) => entry.name);
  const missing = [...recorded.keys()].filter((name) => !onDisk.has(name) && !unfinished.includes(name));
  const servesThisBuild = pending.length === 0 && changed.length === 0 && unfinished.length === 0;
  const isCurrent = servesThisBuild && missing.length === 0;
  return { applied, pending, changed, missing, unfinished, isCurrent, servesThisBuild };
}

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Claims a data folder for this launcher: two platforms on one folder would open the same
 * PGlite databases from two processes and corrupt them. Returns a release function, or
 * throws naming the process that holds the folder. A claim left by a dead process is taken over.
 */
export function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, 'launcher.pid');
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    holder = undefined;
  }
  if (holder !== undefined && holder !== process.pid && Number.isInteger(holder) && isAlive(holder)) {
    throw new Error(`Strata is already running on ${dataDir} (launcher pid ${holder}); stop it first, or use --data-dir for a second platform`);
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  return () => rmSync(pidFile, { force: true });
}

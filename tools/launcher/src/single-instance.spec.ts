import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { claimDataDir } from './single-instance';

describe(claimDataDir.name, () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'strata-claim-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a folder held by a live launcher and names its pid', () => {
    writeFileSync(path.join(dataDir, 'launcher.pid'), `${process.ppid}\n`);
    expect(() => claimDataDir(dataDir)).toThrow(`launcher pid ${process.ppid}`);
  });

  it('takes over a claim left by a process that is gone, and releases it', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    writeFileSync(path.join(dataDir, 'launcher.pid'), `${gone}\n`);
    const release = claimDataDir(dataDir);
    release();
    expect(existsSync(path.join(dataDir, 'launcher.pid'))).toBe(false);
  });
});

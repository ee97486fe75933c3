import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `npm start -- <options>` as a person types them: the built launcher answers --help and wrong
// options at once, in its own words, without starting anything.
const workspaceRoot = path.resolve(__dirname, '../../..');
const launcherEntry = path.join(workspaceRoot, 'dist/launcher/tools/launcher/src/main.js');

describe('npm start -- <options> (the launcher command line)', () => {
  let dataDir: string;

  beforeAll(() => {
    if (!existsSync(launcherEntry)) execFileSync('node_modules/.bin/nx', ['run', 'launcher:build'], { cwd: workspaceRoot });
    dataDir = mkdtempSync(path.join(tmpdir(), 'strata-launcher-args-'));
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  function launch(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    // --data-dir first: should an option be taken for a start, nothing lands in the repository's .data.
    const result = spawnSync(process.execPath, [launcherEntry, '--data-dir', dataDir, ...args], { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it.each([['--help'], ['-h']])('prints every option for %s and exits 0 without starting anything', (flag) => {
    const { status, stdout, stderr } = launch(flag);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    for (const option of ['--reset', '--no-quickstart', '--ready-timeout', '--port-base', '--data-dir', '--log-level', '--no-color', '--help']) {
      expect(stdout).toContain(option);
    }
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it.each([
    [['--bogus'], "strata start: unknown option '--bogus' (see --help)"],
    [['--ready-timeout', 'abc'], "strata start: --ready-timeout expects a number of seconds > 0, got 'abc' (see --help)"],
    [['--port-base', 'x'], "strata start: --port-base expects a port from 1 to 65525 (it uses n … n+10), got 'x' (see --help)"],
    [['--log-level', 'loud'], "strata start: --log-level expects one of trace, debug, info, warn, error, fatal, got 'loud' (see --help)"],
  ])('refuses %j with one line on stderr and exit code 2', (args, line) => {
    const { status, stdout, stderr } = launch(...args);
    expect({ status, stdout, stderr }).toEqual({ status: 2, stdout: '', stderr: `${line}\n` });
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

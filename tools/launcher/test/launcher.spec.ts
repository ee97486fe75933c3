import { freePortRange } from '@strata/testing';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `npm start` as a person runs it: the built launcher starts the five built services as
// separate processes, each reaches SERVING, and one Ctrl-C (SIGINT) stops them all, exit 0.
const workspaceRoot = path.resolve(__dirname, '../../..');
const launcherEntry = path.join(workspaceRoot, 'dist/launcher/tools/launcher/src/main.js');
const SERVICES = ['feature-service', 'registry-service', 'training-runner', 'inference-service', 'gateway'];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitForLine(child: ChildProcess, output: string[], pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const line = output.join('').split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`launcher exited (${String(code)}) before "${pattern.source}":\n${output.join('')}`)));
  });
}

describe('npm start (the launcher)', () => {
  let dataDir: string;
  let child: ChildProcess;
  const output: string[] = [];

  beforeAll(() => {
    if (!existsSync(launcherEntry)) execFileSync('node_modules/.bin/nx', ['run-many', '-t', 'build', '--projects=tag:type:app'], { cwd: workspaceRoot });
    dataDir = mkdtempSync(path.join(tmpdir(), 'strata-launcher-'));
  });

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings all five services to SERVING and stops them all on SIGINT with exit code 0', async () => {
    const portBase = await freePortRange(10);
    child = spawn(process.execPath, [launcherEntry, '--data-dir', dataDir, '--port-base', String(portBase), '--no-color', '--ready-timeout', '300'], {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));

    await waitForLine(child, output, /Strata is up: 5 services SERVING/);
    const table = output.join('');
    const pids = SERVICES.map((name) => {
      const match = new RegExp(`${name}\\s+127\\.0\\.0\\.1:\\d+\\s+\\S+\\s+(\\d+)`).exec(table);
      expect(match).not.toBeNull();
      return Number(match?.[1]);
    });
    expect(pids.every(isAlive)).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(output.join('')).toContain('all services stopped cleanly');
    for (const name of SERVICES) {
      const log = readFileSync(path.join(dataDir, 'logs', `${name}.log`), 'utf8');
      expect(log).toContain(`${name} listening`);
      expect(log).toContain(`${name} stopped`);
    }
  }, 400_000);
});

import { GrpcHealthProbe } from '@strata/service-runtime';
import { freePortRange } from '@strata/testing';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `npm start` as a person runs it: the built launcher starts the five built services as
// separate processes, each reaches SERVING, a service killed with SIGKILL is restarted while
// the others keep serving, and one Ctrl-C (SIGINT) stops them all, exit 0.
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
  // Every service pid seen, so a failed test leaves no service behind.
  const servicePids = new Set<number>();

  beforeAll(() => {
    if (!existsSync(launcherEntry)) execFileSync('node_modules/.bin/nx', ['run-many', '-t', 'build', '--projects=tag:type:app'], { cwd: workspaceRoot });
    dataDir = mkdtempSync(path.join(tmpdir(), 'strata-launcher-'));
  });

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    for (const pid of servicePids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** gRPC health of every service of the platform on `portBase` (ports portBase + 2i). */
  async function healthOf(portBase: number): Promise<string[]> {
    return Promise.all(
      SERVICES.map(async (_name, index) => {
        const probe = new GrpcHealthProbe(`127.0.0.1:${portBase + index * 2}`);
        try {
          return await probe.check('', 10_000);
        } finally {
          probe.close();
        }
      }),
    );
  }

  /**
   * Runs the built launcher on `dataDir` until `pattern` is printed, then `whileRunning` (given the
   * services' pids), then Ctrl-C; returns what it printed, the pids and its exit code.
   */
  async function launchUntil(
    pattern: RegExp,
    portBase: number,
    whileRunning: (pids: number[]) => Promise<void> = () => Promise.resolve(),
  ): Promise<{ output: string; pids: number[]; code: number | null }> {
    output.length = 0;
    child = spawn(process.execPath, [launcherEntry, '--data-dir', dataDir, '--port-base', String(portBase), '--no-color', '--ready-timeout', '300'], {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));

    await waitForLine(child, output, pattern);
    const table = output.join('');
    const pids = SERVICES.map((name) => {
      const match = new RegExp(`${name}\\s+127\\.0\\.0\\.1:\\d+\\s+\\S+\\s+(\\d+)`).exec(table);
      expect(match).not.toBeNull();
      return Number(match?.[1]);
    });
    for (const pid of pids) servicePids.add(pid);
    expect(pids.every(isAlive)).toBe(true);
    await whileRunning(pids);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await exited;
    return { output: output.join(''), pids, code };
  }

  it('brings all five services to SERVING, runs the flights quickstart to a first prediction and stops everything on SIGINT with exit code 0', async () => {
    const portBase = await freePortRange(11);
    const first = await launchUntil(/trace ID\s+[0-9a-f]{32}/, portBase);
    expect(first.code).toBe(0);
    expect(first.pids.filter(isAlive)).toEqual([]);
    expect(first.output).toContain('all services stopped cleanly');
    expect(first.output).toContain('[7/7] wait until inference serves flight-delay v1');
    expect(first.output).toMatch(/model version\s+flight-delay:1/);
    expect(first.output).toMatch(/feature contract\s+route_stats:1@sha256:[0-9a-f]{64}/);
    expect(first.output).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/models\/flight-delay:predict -H 'x-api-key: sk_/);
    expect(first.output).toContain('strata.gateway.v1.PredictionService/Predict');
    for (const name of SERVICES) {
      const log = readFileSync(path.join(dataDir, 'logs', `${name}.log`), 'utf8');
      expect(log).toContain(`${name} listening`);
      expect(log).toContain(`${name} stopped`);
    }

    // A second start on the same data reuses everything: no second import, job, version or key.
    // While it runs, inference-service is killed: the launcher restarts it, the others keep serving.
    let restartedPid = 0;
    const second = await launchUntil(/trace ID\s+[0-9a-f]{32}/, portBase, async (pids) => {
      const inference = SERVICES.indexOf('inference-service');
      process.kill(pids[inference] ?? 0, 'SIGKILL');
      await waitForLine(child, output, /inference-service exited \(signal SIGKILL\); restarting in 1 s \(restart 1 of 5\)/);
      const serving = await waitForLine(child, output, /inference-service is SERVING again after restart 1 \(pid \d+\)/);
      restartedPid = Number(/\(pid (\d+)\)/.exec(serving)?.[1]);
      servicePids.add(restartedPid);
      expect(restartedPid).not.toBe(pids[inference]);
      expect(isAlive(restartedPid)).toBe(true);
      // The other four are the same processes as before the crash, and all five are SERVING.
      expect(pids.filter((_pid, index) => index !== inference).every(isAlive)).toBe(true);
      expect(await healthOf(portBase)).toEqual(SERVICES.map(() => 'SERVING'));
    });
    expect(second.code).toBe(0);
    expect(isAlive(restartedPid)).toBe(false);
    expect(second.pids.filter(isAlive)).toEqual([]);
    expect(second.output).toContain('all services stopped cleanly');
    expect(second.output).toContain('inference-service crashed 1 time(s), restarted to SERVING 1 time(s); SERVING again');
    expect(second.output).toContain('reused from an earlier start: import, materialize, training, promotion');
    expect(second.output).toMatch(/API key \S+ reused/);
    expect(second.output).toMatch(/model version\s+flight-delay:1/);
  }, 900_000);
});

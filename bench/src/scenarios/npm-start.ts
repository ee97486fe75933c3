// Issue 17, target 4: what `npm start` runs — the launcher's five services on embedded PGlite,
// tracing to the launcher's own receiver — against D_chain in the same scenario. The launcher
// starts from nothing in a temporary data folder, runs the flights quickstart, and serves
// entity-row predictions at 100 requests/s (after 10 s of the same load, uncounted: the first
// seconds after a start are JIT and cache warm-up, as for any process).
import { freePortRange } from '@strata/ports';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChain } from '../floors/chain';
import { runOpenLoop, type HttpTarget, type LoadResult } from '../harness/load';
import { cpuMsOf, rssMiB } from '../harness/proc';
import { fixed } from '../harness/stats';
import type { BenchContext, Figure, Scenario, ScenarioResult } from '../scenario';
import { routeEntity } from './predict-path';
import { restRowsTarget } from './predict-with-features';

const RATE = 100;
const SECONDS = { full: 10, quick: 3 };
const WARMUP = 100;
/** p50 bound against D_chain's entity-row p50 (issue 17, target 4). */
const FACTOR = 3;
const READY_TIMEOUT_MS = 180_000;
const SERVICES = ['gateway', 'inference-service', 'feature-service', 'registry-service', 'training-runner'] as const;

interface RunningLauncher {
  readonly gatewayUrl: string;
  readonly key: string;
  /** Service name → pid (from the launcher's own process list). */
  pids(): Map<string, number>;
  stop(): Promise<void>;
}

/** Starts `npm start`'s launcher (built, dist/launcher) on a free port range and a fresh data folder; resolves once it serves. */
async function startLauncher(context: BenchContext): Promise<RunningLauncher> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strata-npm-start-'));
  const portBase = await freePortRange(11);
  // The quickstart key's default rate (100/s, burst 100) would refuse part of a 100/s open loop.
  const env: NodeJS.ProcessEnv = { ...process.env, DEFAULT_RATE_LIMIT_PER_SECOND: '100000' };
  delete env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const child = spawn(process.execPath, [path.join(context.workspaceRoot, 'dist/launcher/tools/launcher/src/main.js'), '--data-dir', dataDir, '--port-base', String(portBase), '--no-color'], { cwd: context.workspaceRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await Promise.race([exited, sleep(30_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!output.includes('the platform keeps running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not come up within ${READY_TIMEOUT_MS / 1000} s:\n${output.slice(-2000)}`);
    }
    await sleep(250);
  }
  const key = (JSON.parse(readFileSync(path.join(dataDir, 'quickstart-api-key.json'), 'utf8')) as { secret: string }).secret;
  const listening = [...output.matchAll(/^\S+ (\S+)\s+INFO\s+\S+ listening grpc=\S+ http=(\S+)/gm)];
  const gatewayUrl = listening.find((match) => match[1] === 'gateway')?.[2];
  if (gatewayUrl === undefined) {
    await stop();
    throw new Error(`npm start printed no gateway address:\n${output.slice(-2000)}`);
  }
  // The launcher prints no pids; a service of this launcher runs dist/<service>/ with this data folder in its environment.
  const pids = (): Map<string, number> => {
    const found = new Map<string, number>();
    for (const service of SERVICES) {
      const pid = pidWithArgs(`dist/${service}/`, dataDir);
      if (pid !== undefined) found.set(service, pid);
    }
    return found;
  };
  return { gatewayUrl, key, pids, stop };
}

/** The pid of a process whose command line names `needle` and whose command line or environment names `also`. */
function pidWithArgs(needle: string, also: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(needle)) continue;
      if (!cmdline.includes(also) && !readFileSync(`/proc/${entry}/environ`, 'utf8').includes(also)) continue;
      return Number(entry);
    } catch {
      // a process that ended meanwhile
    }
  }
  return undefined;
}

async function measureAt(context: BenchContext, label: string, target: HttpTarget, pids: ReadonlyMap<string, number>): Promise<{ result: LoadResult; cpuPerRequest: number }> {
  const seconds = context.quick ? SECONDS.quick : SECONDS.full;
  // Uncounted: the same load, so the processes are warm when the measured one starts.
  await runOpenLoop({ target, ratePerSecond: RATE, count: RATE * seconds, warmup: 0 });
  const before = [...pids.values()].map(cpuMsOf);
  const result = await runOpenLoop({ target, ratePerSecond: RATE, count: RATE * seconds, warmup: WARMUP });
  const spent = [...pids.values()].map(cpuMsOf).reduce((sum, value, index) => sum + value - (before[index] ?? Number.NaN), 0);
  const cpuPerRequest = spent / (result.sent + WARMUP);
  context.log(`${label} @${RATE}/s: p50 ${fixed(result.stats.p50)} / p99 ${fixed(result.stats.p99)} / p99.9 ${fixed(result.stats.p999)} ms, ${result.errors}/${result.sent} errors; CPU ms/request ${fixed(cpuPerRequest)}`);
  return { result, cpuPerRequest };
}

export const npmStartScenario: Scenario = {
  name: 'npm-start',
  title: 'What `npm start` runs (embedded PGlite, tracing to the launcher) against D_chain, entity rows at 100 requests/s',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const platform = await context.platform();
    const rows = restRowsTarget(platform) as HttpTarget;
    const chain = await startChain(platform.model, await routeEntity(context, platform));
    let chainRun: Awaited<ReturnType<typeof measureAt>>;
    try {
      chainRun = await measureAt(context, 'D_chain REST entity row', { ...rows, url: `${chain.url}/v1/models/${platform.model.name}/predict` }, new Map(Object.entries(chain.pids)));
    } finally {
      await chain.stop();
    }
    context.log('starting npm start (the launcher, PGlite, tracing on) in a fresh data folder');
    const launcher = await startLauncher(context);
    const figures: Figure[] = [];
    try {
      const pids = launcher.pids();
      const run = await measureAt(context, 'npm start REST entity row', { ...rows, url: `${launcher.gatewayUrl}/v1/models/${platform.model.name}:predict`, headers: { ...rows.headers, 'x-api-key': launcher.key } }, pids);
      const chainP50 = chainRun.result.stats.p50;
      figures.push(
        { name: `D_chain REST entity row @${RATE}/s p50`, value: chainP50, unit: 'ms' },
        { name: `D_chain REST entity row @${RATE}/s p99`, value: chainRun.result.stats.p99, unit: 'ms' },
        { name: `npm start REST entity row @${RATE}/s p50`, value: run.result.stats.p50, unit: 'ms', baseline: { name: 'D_chain p50', value: chainP50 } },
        { name: `npm start REST entity row @${RATE}/s p99`, value: run.result.stats.p99, unit: 'ms', baseline: { name: 'D_chain p99', value: chainRun.result.stats.p99 } },
        { name: `npm start REST entity row @${RATE}/s errors`, value: run.result.errors, unit: 'count' },
        { name: `npm start CPU per request (five services)`, value: run.cpuPerRequest, unit: 'ms', baseline: { name: 'D_chain CPU per request', value: chainRun.cpuPerRequest } },
        ...[...pids].map(([service, pid]): Figure => ({ name: `RSS on PGlite after the load, ${service}`, value: rssMiB(pid), unit: 'MiB' })),
      );
      const bound = FACTOR * chainP50;
      const pass = run.result.errors === 0 && run.result.stats.p50 <= bound;
      return {
        scenario: 'npm-start',
        title: this.title,
        figures,
        targets: [{ name: `npm start entity row @${RATE}/s p50 <= ${FACTOR} x D_chain p50`, pass, detail: `p50 ${fixed(run.result.stats.p50)} ms vs ${FACTOR} x ${fixed(chainP50)} = ${fixed(bound)} ms (${fixed(run.result.stats.p50 / chainP50, 2)}x); ${run.result.errors} of ${run.result.sent} failed` }],
        notes: [
          `The built launcher (dist/launcher) with a fresh data folder and its own free port range, as \`npm ci && npm start\` runs it: five services on embedded PGlite, spans exported to the launcher's receiver, the flights quickstart. DEFAULT_RATE_LIMIT_PER_SECOND=100000 so the quickstart key does not refuse the load. ${RATE}/s open loop for ${context.quick ? SECONDS.quick : SECONDS.full} s after the same load uncounted; D_chain measured the same way just before.`,
        ],
      };
    } finally {
      await launcher.stop();
    }
  },
};

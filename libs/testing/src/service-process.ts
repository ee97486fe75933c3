import { freePort } from '@strata/ports';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const runFile = promisify(execFile);

/** The monorepo root: the nearest folder up from here with nx.json. */
export const workspaceRoot = findWorkspaceRoot(__dirname);

function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json above ${from}`);
  }
}

/** A build of one service for plain `node`, in its own folder (never the shared dist/). */
export interface ServiceBuild {
  readonly service: string;
  /** The compiled entry point. */
  readonly mainJs: string;
  remove(): Promise<void>;
}

/**
 * Builds `service` exactly as `tools/build/build-service.sh` does, into a fresh folder under
 * `tmp/` (inside the workspace, so `node_modules` resolves), so a concurrent `npm start` keeps
 * its dist/. The service's Prisma client must have been generated (`nx run-many -t generate`).
 */
export async function buildServiceForTest(service: string): Promise<ServiceBuild> {
  await mkdir(path.join(workspaceRoot, 'tmp'), { recursive: true });
  const outDir = await mkdtemp(path.join(workspaceRoot, 'tmp', `${service}-build-`));
  const scriptPath = path.join(workspaceRoot, 'tools/build/build-service.sh');
  const script = await readFile(scriptPath, 'utf8');
  const redirected = script.replace(/^out=.*$/m, 'out="$STRATA_BUILD_OUT"');
  if (redirected === script) throw new Error(`${scriptPath} no longer sets out=...; update buildServiceForTest()`);
  // `bash -c <script> <$0> <$1>`: $0 is the real script path, so the script finds the workspace root as usual.
  await runFile('bash', ['-c', redirected, scriptPath, service], { cwd: workspaceRoot, env: { ...process.env, STRATA_BUILD_OUT: outDir } });
  return { service, mainJs: path.join(outDir, `apps/${service}/src/main.js`), remove: () => rm(outDir, { recursive: true, force: true }) };
}

/** A service running as its own process. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly grpcAddress: string;
  readonly httpUrl: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern` (already written or still to come); rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Kills it with SIGKILL (no shutdown at all) and waits until it is gone. */
  killHard(): Promise<void>;
  /** SIGTERM (graceful drain) and wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a built service on free ports (127.0.0.1; or GRPC_PORT/HTTP_PORT from `env`) with `env` (DATA_DIR, DATABASE_URL, ...;
 * PGlite under DATA_DIR unless DATABASE_URL is given) and waits until /readyz answers 200.
 * `nodeArgs` go to node before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export async function startServiceProcess(build: ServiceBuild, env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): Promise<ServiceProcess> {
  // GRPC_PORT/HTTP_PORT in `env` pin the ports (a restart on the same address); otherwise free ones.
  const grpcPort = env['GRPC_PORT'] === undefined ? await freePort() : Number(env['GRPC_PORT']);
  const httpPort = env['HTTP_PORT'] === undefined ? await freePort() : Number(env['HTTP_PORT']);
  const { DATABASE_URL: _inheritedDatabaseUrl, OTEL_EXPORTER_OTLP_ENDPOINT: _noExport, ...inherited } = process.env;
  const childEnv: NodeJS.ProcessEnv = { ...inherited, BIND_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), HTTP_PORT: String(httpPort), LOG_LEVEL: 'info', SHUTDOWN_GRACE: '2s', ...env };
  const child = spawn(process.execPath, [...nodeArgs, build.mainJs], { cwd: workspaceRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = (): string => chunks.join('');
  const waitForLine = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const line = output()
          .split('\n')
          .find((candidate) => pattern.test(candidate));
        if (line === undefined) return false;
        child.stdout?.off('data', check);
        child.stderr?.off('data', check);
        resolve(line);
        return true;
      };
      if (check()) return;
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      void exited.then((code) => reject(new Error(`${build.service} exited (${String(code)}) before "${pattern.source}":\n${output()}`)));
    });
  const running: ServiceProcess = {
    child,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    output,
    waitForLine,
    killHard: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  await untilReady(build.service, `http://127.0.0.1:${httpPort}/readyz`, exited, output);
  return running;
}

// Readiness, not a log line: it does not depend on LOG_LEVEL.
async function untilReady(service: string, readyUrl: string, exited: Promise<number | null>, output: () => string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${service} exited (${String(exitCode)}) before it was ready:\n${output()}`);
    const ready = await fetch(readyUrl).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
}

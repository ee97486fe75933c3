import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

// A trimmed copy of @strata/testing's buildServiceForTest/startServiceProcess, which this
// library cannot import (tags: type:runtime must not depend on type:testing).

const runFile = promisify(execFile);

/** The monorepo root: the nearest folder up from here with nx.json. */
export const workspaceRoot = findWorkspaceRoot(__dirname);

function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json above ${from}`);
  }
}

/** A build of one service in its own folder under tmp/ (never the shared dist/, which a running `npm start` uses). */
export interface BuiltService {
  readonly mainJs: string;
  readonly migrationsDir: string;
  remove(): Promise<void>;
}

/** Builds `service` with tools/build/build-service.sh into a fresh folder under tmp/ (so node_modules resolves). */
export async function buildService(service: string): Promise<BuiltService> {
  await mkdir(path.join(workspaceRoot, 'tmp'), { recursive: true });
  const outDir = await mkdtemp(path.join(workspaceRoot, 'tmp', `${service}-build-`));
  const scriptPath = path.join(workspaceRoot, 'tools/build/build-service.sh');
  const script = await readFile(scriptPath, 'utf8');
  const redirected = script.replace(/^out=.*$/m, 'out="$STRATA_BUILD_OUT"');
  if (redirected === script) throw new Error(`${scriptPath} no longer sets out=...; update buildService()`);
  await runFile('bash', ['-c', redirected, scriptPath, service], { cwd: workspaceRoot, env: { ...process.env, STRATA_BUILD_OUT: outDir } });
  return {
    mainJs: path.join(outDir, `apps/${service}/src/main.js`),
    migrationsDir: path.join(outDir, `apps/${service}/prisma/migrations`),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}

/** A built service's process, with what it wrote. */
export interface ServiceRun {
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` shows in stdout; rejects if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<void>;
  /** Sends a signal (SIGTERM by default). */
  signal(signal?: NodeJS.Signals): void;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Runs `node <mainJs> ...args` from the workspace root with `env` on top of this process's (minus DATABASE_URL and OTLP export). */
export function runBuiltService(mainJs: string, args: readonly string[], env: NodeJS.ProcessEnv): ServiceRun {
  const { DATABASE_URL: _database, OTEL_EXPORTER_OTLP_ENDPOINT: _export, MIGRATE_ON_START: _migrate, ...inherited } = process.env;
  const child = spawn(process.execPath, [mainJs, ...args], { cwd: workspaceRoot, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForOutput = (pattern: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(out.join(''))) {
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      void exited.then(() => reject(new Error(`exited before printing ${pattern}:\n${out.join('')}${err.join('')}`)));
      check();
    });
  return { stdout: () => out.join(''), stderr: () => err.join(''), waitForOutput, signal: (signal = 'SIGTERM') => child.kill(signal), exited };
}

import { freePort } from '@strata/ports';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { workspaceRoot } from './registry-process';

export const featureEntry = path.join(workspaceRoot, 'dist/feature-service/apps/feature-service/src/main.js');

/** What the built feature-service is made of: its sources, migrations, the libs and the contracts. */
const BUILD_INPUTS = ['apps/feature-service/src', 'apps/feature-service/prisma', 'libs', 'protos'];

function newestInput(): number {
  let newest = 0;
  for (const input of BUILD_INPUTS) {
    const root = path.join(workspaceRoot, input);
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.parentPath.includes('node_modules') || entry.name.endsWith('.spec.ts')) continue;
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds `dist/feature-service` with tools/build/build-service.sh when it is missing or older
 * than any of its inputs (generating the Prisma client first if needed), as `nx run
 * feature-service:build` would.
 */
export function ensureFeatureServiceBuilt(): void {
  if (existsSync(featureEntry) && statSync(featureEntry).mtimeMs >= newestInput()) return;
  if (!existsSync(path.join(workspaceRoot, 'apps/feature-service/src/generated/prisma'))) {
    execFileSync('bash', ['tools/prisma/generate.sh', 'feature-service'], { cwd: workspaceRoot, stdio: 'ignore' });
  }
  execFileSync('bash', ['tools/build/build-service.sh', 'feature-service'], { cwd: workspaceRoot, stdio: 'ignore' });
}

/** A built feature-service running as its own process on PGlite in a temp folder. */
export interface FeatureProcess {
  /** `127.0.0.1:<port>` of its gRPC server. */
  readonly address: string;
  /** Its IMPORT_ROOT: files to import go here. */
  readonly importRoot: string;
  /** What the service wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, wait for the exit, remove the data and import folders. */
  stop(): Promise<void>;
}

/**
 * Starts `dist/feature-service` (the real service, as `npm start` runs it) on free ports with a
 * temp DATA_DIR (PGlite) and IMPORT_ROOT, and waits until /readyz answers 200.
 */
export async function startFeatureProcess(env: NodeJS.ProcessEnv = {}): Promise<FeatureProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strata-cli-features-data-'));
  const importRoot = mkdtempSync(path.join(tmpdir(), 'strata-cli-features-imports-'));
  const cleanUp = (): void => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(importRoot, { recursive: true, force: true });
  };
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const { DATABASE_URL: _ignored, OTEL_EXPORTER_OTLP_ENDPOINT: _none, ...inherited } = process.env;
  const serviceEnv = {
    ...inherited,
    ...env,
    BIND_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    HTTP_PORT: String(httpPort),
    DATA_DIR: dataDir,
    IMPORT_ROOT: importRoot,
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE: '2s',
  };
  const readyz = `http://127.0.0.1:${httpPort}/readyz`;
  const isReady = (): Promise<boolean> => fetch(readyz).then((r) => r.status === 200, () => false);

  const child: ChildProcess = spawn(process.execPath, [featureEntry], { cwd: workspaceRoot, env: serviceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    cleanUp();
  };

  const deadline = Date.now() + 90_000;
  while (!(await isReady())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`feature-service did not become ready (exit ${String(child.exitCode)}):\n${output.join('')}`);
    }
    await sleep(200);
  }
  return { address: `127.0.0.1:${grpcPort}`, importRoot, output: () => output.join(''), stop };
}

import { freePort } from '@strata/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const workspaceRoot = path.resolve(__dirname, '../../../..');
export const registryEntry = path.join(workspaceRoot, 'dist/registry-service/apps/registry-service/src/main.js');

/** A built registry-service running as its own process on PGlite in a temp folder. */
export interface RegistryProcess {
  readonly address: string;
  /** SIGTERM (graceful drain), wait for the exit, start again on the same ports and data. */
  restart(): Promise<void>;
  /** SIGTERM, wait for the exit, remove the data folder. */
  stop(): Promise<void>;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `dist/registry-service` (the real service, as `npm start` runs it) on free ports with
 * `env` as its settings and waits until it is ready (SERVING). The CLI test cannot start it
 * in-process: importing another app's `registryService` is refused by the module boundaries.
 */
export async function startRegistryProcess(env: NodeJS.ProcessEnv): Promise<RegistryProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strata-cli-registry-'));
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const { DATABASE_URL: _ignored, OTEL_EXPORTER_OTLP_ENDPOINT: _none, ...inherited } = process.env;
  const serviceEnv = { ...inherited, ...env, BIND_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), HTTP_PORT: String(httpPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn', SHUTDOWN_GRACE: '2s' };
  // /readyz answers 200 only once the service is SERVING with a current schema.
  const readyz = `http://127.0.0.1:${httpPort}/readyz`;
  const isReady = (): Promise<boolean> => fetch(readyz).then((r) => r.status === 200, () => false);

  const start = async (): Promise<Running> => {
    const child = spawn(process.execPath, [registryEntry], { cwd: workspaceRoot, env: serviceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const running = { child, exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
    const deadline = Date.now() + 90_000;
    while (!(await isReady())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await kill(running);
        throw new Error(`registry-service did not become ready (exit ${String(child.exitCode)}):\n${output.join('')}`);
      }
      await sleep(200);
    }
    return running;
  };
  const kill = async (running: Running): Promise<void> => {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGTERM');
    await running.exited;
  };

  let current: Running;
  try {
    current = await start();
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    address: `127.0.0.1:${grpcPort}`,
    restart: async () => {
      await kill(current);
      current = await start();
    },
    stop: async () => {
      await kill(current);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

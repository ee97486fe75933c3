import { workspaceRoot } from '@strata/testing';
import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';

const REGISTER_TS = path.join(workspaceRoot, 'tools/dev/register-ts.js');
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** A floor's server in its own process (its own event loop, like a service), started from its TypeScript source. */
export interface ServerProcess {
  /** What the server reported over IPC once listening (`host:port` or a URL). */
  readonly address: string;
  readonly pid: number;
  /** Disconnects (the server closes and exits), then kills it if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/**
 * Forks `script` with `-r tools/dev/register-ts.js` and waits until it sends `{ address }` over
 * IPC. A server that exits or stays silent for 30 s fails the start (and is killed).
 */
export async function startServerProcess(script: string, args: readonly string[], label: string): Promise<ServerProcess> {
  const child = fork(script, [...args], { cwd: workspaceRoot, execArgv: ['-r', REGISTER_TS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = (): Promise<void> => stopChild(child, exited);
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.once('message', (message: { address: string }) => {
        clearTimeout(timer);
        resolve(message.address);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited (${String(code)})`));
      });
    });
    return { address, pid: child.pid ?? Number.NaN, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.connected) child.disconnect();
  await Promise.race([exited, sleep(STOP_GRACE_MS)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

import { type ChildProcess, spawn } from 'node:child_process';
import { workspaceRoot } from './registry-process';
import { cliEntry } from './run-cli';

/** A running `strata releases watch --json` and the JSON lines it printed so far. */
export interface Watcher {
  /** Every complete line of stdout, parsed. */
  lines(): Record<string, unknown>[];
  /** The `event` members of those lines. */
  events(): { kind: string; alias: string; version: number; revision: string }[];
  stderr(): string;
  /** Resolves once `predicate` holds for the output (rejects if the watcher exits first). */
  waitFor(predicate: () => boolean): Promise<void>;
  /** SIGINT, then the exit code. */
  interrupt(): Promise<number | null>;
}

export function startWatcher(args: readonly string[], env: NodeJS.ProcessEnv): Watcher {
  const child: ChildProcess = spawn(process.execPath, [cliEntry, 'releases', 'watch', '--json', ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((check) => check());
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    notify();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    notify();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = (): Record<string, unknown>[] =>
    stdout
      .split('\n')
      .slice(0, -1) // the text after the last newline is an incomplete line
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    lines,
    events: () => lines().flatMap((line) => (line['event'] === undefined ? [] : [line['event'] as ReturnType<Watcher['events']>[number]])),
    stderr: () => stderr,
    waitFor: (predicate) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        void exited.then((code) => reject(new Error(`watch exited (${String(code)}):\n${stdout}\n${stderr}`)));
        check();
      }),
    interrupt: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

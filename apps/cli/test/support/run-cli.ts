import { spawn } from 'node:child_process';
import path from 'node:path';
import { workspaceRoot } from './registry-process';

export const cliEntry = path.join(workspaceRoot, 'dist/cli/apps/cli/src/main.js');

/** What one `strata` run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a child process, as a CI step would. */
export function runStrata(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CliRun> {
  const { STRATA_REGISTRY: _r, STRATA_TOKEN: _t, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { cwd: workspaceRoot, env: { ...inherited, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
    child.stdin.end(stdin ?? '');
  });
}

/** The one JSON document a `--json` run printed on stdout. */
export function jsonOut<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${String(run.code)}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** The `{"error": ...}` document a failed `--json` run printed on stderr. */
export function jsonError(run: CliRun): { status: string; code: number; message: string; exitCode: number; preconditionViolations: { type: string; subject: string; description: string }[] } {
  try {
    return (JSON.parse(run.stderr) as { error: ReturnType<typeof jsonError> }).error;
  } catch {
    throw new Error(`stderr is not a JSON error (exit ${String(run.code)}):\n${run.stderr}\nstdout:\n${run.stdout}`);
  }
}

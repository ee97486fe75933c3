import { execFile } from 'node:child_process';
import { helmBinary } from './helm-binary';

/** What one `helm` invocation printed and how it exited. */
export interface HelmResult {
  args: string[];
  /** 0 on success. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runHelm}. */
export interface HelmOptions {
  cwd?: string;
  /** Added to (and overriding) the environment. */
  env?: NodeJS.ProcessEnv;
}

/** Runs the workspace's Helm binary; resolves (never rejects) with its exit code and output. */
export function runHelm(args: string[], options: HelmOptions = {}): Promise<HelmResult> {
  const binary = helmBinary();
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`could not run ${binary} ${args.join(' ')}: ${error.message}`));
        return;
      }
      resolve({ args, code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

/** Like {@link runHelm}, but rejects with Helm's own message when it exits non-zero. */
export async function helmOrThrow(args: string[], options: HelmOptions = {}): Promise<string> {
  const result = await runHelm(args, options);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

/** Maps items through an async function, at most `limit` at a time; results keep the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

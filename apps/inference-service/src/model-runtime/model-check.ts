import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import type { ModelCheckRequest, ModelCheckResponse } from './model-check.protocol';

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** What {@link checkModelBytes} found: the thread's answer without its request ID. */
export type ModelCheck = WithoutId<ModelCheckResponse>;

// Built services run compiled JavaScript; tests and benchmarks from sources run TypeScript, which a
// worker thread can only load through the workspace's SWC register hook.
const THREAD_JS = path.join(__dirname, 'model-check.thread.js');
const THREAD_TS = path.join(__dirname, 'model-check.thread.ts');
const TS_REGISTER = path.resolve(__dirname, '../../../../tools/dev/register-ts.js');
/** An idle thread is ended after this long (a new one starts with the next load). */
const IDLE_MS = 60_000;

interface Pending {
  resolve(check: ModelCheck): void;
  reject(error: Error): void;
}

/**
 * One worker thread, started on first use and shared by every load, that hashes and inspects
 * model bytes. It never keeps the process alive: it is unreferenced while no check is pending
 * and ended after {@link IDLE_MS} without one. A thread that dies fails its pending checks; the
 * next check starts a new one.
 */
class ModelCheckThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  check(bytes: Uint8Array, expectedSha256: string): Promise<ModelCheck> {
    const worker = this.started();
    clearTimeout(this.idleTimer);
    worker.ref();
    const id = this.nextId++;
    // A copy with a buffer of its own, handed over without another copy. Never transfer `bytes`'
    // buffer: the caller still needs it, and a Buffer's may be Node's shared pool. (Not
    // `bytes.slice()`: on a Buffer that is a view of the same memory.)
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return new Promise<ModelCheck>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: ModelCheckRequest = { id, bytes: copy, expectedSha256 };
      worker.postMessage(request, [copy.buffer]);
    });
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = existsSync(THREAD_JS) ? new Worker(THREAD_JS) : new Worker(`require(${JSON.stringify(TS_REGISTER)}); require(${JSON.stringify(THREAD_TS)});`, { eval: true });
    worker.on('message', ({ id, ...check }: ModelCheckResponse) => {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      pending?.resolve(check as ModelCheck);
      if (this.pending.size === 0 && this.worker === worker) this.idle(worker);
    });
    worker.on('error', (error) => this.lost(worker, `the model-check thread failed: ${error.message}`));
    worker.on('exit', (code) => this.lost(worker, `the model-check thread exited (${code})`));
    this.worker = worker;
    return worker;
  }

  private idle(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, IDLE_MS).unref();
  }

  private lost(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    clearTimeout(this.idleTimer);
    void worker.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of pending) reject(new Error(reason));
  }
}

const thread = new ModelCheckThread();

/**
 * Hashes `bytes` (sha256) and, when the digest is `expectedSha256` (lower-case hex), inspects
 * them as an ONNX model — on a worker thread, so neither blocks the event loop that serves
 * requests meanwhile.
 *
 * @throws Error when the worker thread cannot run the check (it failed or exited).
 */
export function checkModelBytes(bytes: Uint8Array, expectedSha256: string): Promise<ModelCheck> {
  return thread.check(bytes, expectedSha256);
}

import { Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type TrainingThreadInput, type TrainingThreadMessage } from './training-thread-protocol';

/** What a training thread produced. */
export type TrainingOutput = Extract<TrainingThreadMessage, { type: 'done' }>;

/** A training run that did not produce a model; `code` is the job error code (or CANCELLED / TIMEOUT). */
export class TrainingRunError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingRunError';
  }
}

/** Callbacks of a running training. */
export interface TrainingListener {
  progress(message: Extract<TrainingThreadMessage, { type: 'progress' }>): void;
  log(message: string): void;
}

/** How long a trainer may take to notice the stop flag before its thread is terminated. */
const STOP_GRACE_MS = 2_000;

// Built services run compiled JavaScript; tests and `nx serve` from sources run TypeScript, which a
// worker thread can only load through the workspace's SWC register hook.
const THREAD_JS = path.join(__dirname, 'training.thread.js');
const THREAD_TS = path.join(__dirname, 'training.thread.ts');
const TS_REGISTER = path.resolve(__dirname, '../../../../tools/dev/register-ts.js');

/**
 * Runs built-in trainers on worker threads (EXECUTOR=local), so the gRPC server stays
 * responsive during a run. Stopping (cancel, timeout, shutdown) sets a shared flag the trainer
 * checks every iteration, then terminates the thread if it does not stop in time.
 */
@Injectable()
export class LocalTrainingExecutor {
  run(input: Omit<TrainingThreadInput, 'stopFlag'>, listener: TrainingListener, signal: AbortSignal): Promise<TrainingOutput> {
    const stopFlag = new SharedArrayBuffer(4);
    const worker = startThread({ ...input, stopFlag });
    return new Promise<TrainingOutput>((resolve, reject) => {
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', stop);
        clearTimeout(killTimer);
        outcome();
        void worker.terminate();
      };
      const stop = (): void => {
        Atomics.store(new Int32Array(stopFlag), 0, 1);
        killTimer = setTimeout(() => finish(() => reject(stoppedError(signal))), STOP_GRACE_MS);
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      worker.on('message', (message: TrainingThreadMessage) => {
        switch (message.type) {
          case 'progress':
            listener.progress(message);
            return;
          case 'log':
            listener.log(message.message);
            return;
          case 'done':
            finish(() => resolve(message));
            return;
          case 'failed':
            finish(() => reject(message.code === 'CANCELLED' ? stoppedError(signal) : new TrainingRunError(message.code, message.message)));
            return;
        }
      });
      worker.on('error', (error) => finish(() => reject(new TrainingRunError(/memory/i.test(error.message) ? 'OUT_OF_MEMORY' : 'INTERNAL', `the training thread crashed: ${error.message}`))));
      worker.on('exit', (code) => finish(() => reject(signal.aborted ? stoppedError(signal) : new TrainingRunError('INTERNAL', `the training thread exited (${code}) without a result`))));
    });
  }
}

function startThread(input: TrainingThreadInput): Worker {
  if (existsSync(THREAD_JS)) return new Worker(THREAD_JS, { workerData: input });
  return new Worker(`require(${JSON.stringify(TS_REGISTER)}); require(${JSON.stringify(THREAD_TS)});`, { eval: true, workerData: input });
}

function stoppedError(signal: AbortSignal): TrainingRunError {
  const reason: unknown = signal.reason;
  if (reason instanceof TrainingRunError) return reason;
  return new TrainingRunError('CANCELLED', reason instanceof Error ? reason.message : 'stopped');
}

import type { StrataProtoKey } from '@strata/contracts';
import { workspaceRoot } from '@strata/testing';
import { fork } from 'node:child_process';
import path from 'node:path';
import type { LatencyStats } from '../scenario';

/** A unary gRPC call: a Strata contract method (proto-loader object shapes) or the floor's raw-bytes echo. */
export interface GrpcTarget {
  readonly kind: 'grpc';
  /** `host:port` */
  readonly address: string;
  /** A key of STRATA_PROTOS, or `echo` for the D_grpc echo service (the request is sent as its JSON bytes). */
  readonly protoKey: StrataProtoKey | 'echo';
  /** e.g. `PredictionService` (ignored for `echo`). */
  readonly service: string;
  /** The RPC as in the proto, e.g. `Predict` (ignored for `echo`). */
  readonly method: string;
  readonly request: unknown;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** An HTTP/1.1 request over a keep-alive agent; any status >= 300 is an error. */
export interface HttpTarget {
  readonly kind: 'http';
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Sockets the worker's keep-alive agent may open to the target at once (default 512). */
  readonly maxSockets?: number;
}

/** A query through `pg` (a small pool), its `$1` a random integer in [1, randomIdUpTo]. */
export interface PgTarget {
  readonly kind: 'pg';
  readonly connectionString: string;
  readonly text: string;
  readonly randomIdUpTo: number;
}

export type LoadTarget = GrpcTarget | HttpTarget | PgTarget;

interface Common {
  readonly target: LoadTarget;
  /** A request slower than this fails (and is counted, with its time). */
  readonly timeoutMs?: number;
  /** Sequential calls before the measurement, not counted (connections, JIT, caches). Default 50. */
  readonly warmup?: number;
}

/** One step of a phased open loop: `count` requests at `ratePerSecond`. */
export interface OpenLoopPhase {
  readonly ratePerSecond: number;
  readonly count: number;
}

/** `count` requests sent on schedule at `ratePerSecond`, whether or not earlier ones answered. */
export interface OpenLoopOptions extends Common {
  readonly ratePerSecond: number;
  readonly count: number;
  /**
   * Phases that follow the first `count` requests in the same open loop, each at its own rate
   * (e.g. overload, then a low rate): one schedule, no gap between phases. Default none.
   */
  readonly thenPhases?: readonly OpenLoopPhase[];
  /** Every request's schedule, latency and outcome in the result (`requests`). Default off. */
  readonly recordRequests?: boolean;
}

/** Every request of an open loop run with `recordRequests`, in send order (parallel arrays). */
export interface RequestRecords {
  /** Scheduled send time, ms from the run's start (the first request's schedule). */
  readonly scheduledMs: readonly number[];
  /** Latency as the run's statistics count it (from the earlier of schedule and actual send). */
  readonly latencyMs: readonly number[];
  /** `ok`, or the failure: the HTTP status (`503`), the gRPC status name (`UNAVAILABLE`), `timeout`, or the error's code (`ECONNRESET`) or `error`. */
  readonly outcome: readonly string[];
  /**
   * How late the generator sent each request (actual send minus schedule, ms; 0 when on time or
   * early): the generator's own delay. `latencyMs - sendLagMs` is the time from the actual send.
   */
  readonly sendLagMs: readonly number[];
  /** The failed answer's Retry-After header (HTTP); `''` when none (and for every success and gRPC call). */
  readonly retryAfter: readonly string[];
  /** Where each phase's schedule starts, ms from the run's start: 0, then one per `thenPhases` entry. */
  readonly phaseStartsMs: readonly number[];
}

/** `concurrency` callers, each sending again as soon as its last request answered, for `durationMs`. */
export interface ClosedLoopOptions extends Common {
  readonly concurrency: number;
  readonly durationMs: number;
}

export interface LoadResult {
  readonly stats: LatencyStats;
  readonly sent: number;
  readonly errors: number;
  /** The first (up to 5) distinct error messages. */
  readonly errorSamples: readonly string[];
  /** From the first send to the last answer. */
  readonly durationMs: number;
  /** Successful answers per second over `durationMs`. */
  readonly throughputPerSecond: number;
  /** Every request, when the open loop was asked to `recordRequests`. */
  readonly requests?: RequestRecords;
}

/** What the runner sends the worker: one job (an open loop may get a `'stop'` later), one answer, then the worker exits. */
export type LoadJob = ({ readonly mode: 'open' } & OpenLoopOptions) | ({ readonly mode: 'closed' } & ClosedLoopOptions);
export type LoadWorkerReply = { readonly ok: true; readonly result: LoadResult } | { readonly ok: false; readonly error: string };

export const DEFAULT_TIMEOUT_MS = 5_000;
const WORKER = path.join(__dirname, 'load-worker.ts');
const REGISTER_TS = path.join(workspaceRoot, 'tools/dev/register-ts.js');

/**
 * Open loop in a separate process: latency counts from the scheduled send time, so queueing
 * (in the server or in the generator) shows in the tail instead of slowing the sender down.
 */
export function runOpenLoop(options: OpenLoopOptions): Promise<LoadResult> {
  return startOpenLoop(options).result;
}

/** An open loop that is running: its result, and a way to end it before `count` requests. */
export interface RunningLoad {
  readonly result: Promise<LoadResult>;
  /** Sends no more requests; the result comes once the ones already sent have answered. */
  stop(): void;
}

/**
 * {@link runOpenLoop} that the caller may stop early: for load that must last exactly as long
 * as something else takes (e.g. 100 swaps), with `count` as the upper bound.
 */
export function startOpenLoop(options: OpenLoopOptions): RunningLoad {
  const expectedMs = [options, ...(options.thenPhases ?? [])].reduce((sum, phase) => sum + (phase.count / phase.ratePerSecond) * 1000, 0);
  let stop = (): void => undefined;
  const result = runInWorker({ mode: 'open', ...options }, expectedMs, (stopper) => (stop = stopper));
  return { result, stop: () => stop() };
}

/** Closed loop in a separate process: the peak throughput `concurrency` callers reach. */
export function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  return runInWorker({ mode: 'closed', ...options }, options.durationMs);
}

/**
 * Forks the load worker (its own event loop and its own connections), hands it the job and
 * waits for its answer, bounded: a worker that has not answered well after the job's own time
 * (warm-up, run, the last timeouts) is killed and the run fails.
 */
function runInWorker(job: LoadJob, expectedMs: number, onStopper?: (stop: () => void) => void): Promise<LoadResult> {
  const timeoutMs = job.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const boundMs = expectedMs + ((job.warmup ?? 50) + 2) * timeoutMs + 30_000;
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { cwd: workspaceRoot, execArgv: ['-r', REGISTER_TS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      action();
      // The worker closes its connections and exits after answering; a stuck one is killed.
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, 5_000).unref();
    };
    const guard = setTimeout(() => settle(() => reject(new Error(`the load worker did not answer within ${Math.round(boundMs / 1000)} s`))), boundMs);
    child.once('message', (reply: LoadWorkerReply) => settle(() => (reply.ok ? resolve(reply.result) : reject(new Error(`load worker: ${reply.error}`)))));
    child.once('error', (error) => settle(() => reject(error)));
    // 'disconnect' comes after every message on the channel (unlike 'exit'): no answer was lost.
    child.once('disconnect', () => settle(() => reject(new Error(`the load worker exited (${String(child.exitCode ?? child.signalCode ?? 'disconnected')}) without an answer`))));
    child.send(job);
    onStopper?.(() => {
      if (!settled && child.connected) child.send('stop');
    });
  });
}

// The load generator: a child process of the runner (runOpenLoop / runClosedLoop in load.ts), so
// it never shares an event loop with the runner or a server under test. It gets one job over
// IPC, opens its connections (one gRPC channel, one keep-alive HTTP agent or one small pg pool),
// warms up, runs the job, answers with the result, closes everything and exits.
import { Client, credentials, Metadata, type MethodDefinition, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, PROTOS_DIR, STRATA_PROTOS } from '@strata/contracts';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { ECHO_SERVICE } from '../floors/echo-service';
import { DEFAULT_TIMEOUT_MS, type GrpcTarget, type HttpTarget, type LoadJob, type LoadResult, type LoadTarget, type LoadWorkerReply, type OpenLoopPhase, type PgTarget } from './load';
import { statsOf } from './stats';

/** One request: resolves when answered, rejects on failure or timeout. */
type Call = () => Promise<void>;

interface Caller {
  readonly call: Call;
  close(): Promise<void>;
}

/** Requests may leave up to this much before their scheduled time (timer granularity is ~1 ms). */
const EARLY_MS = 1;
const MAX_ERROR_SAMPLES = 5;
const MAX_ERROR_CHARS = 160;
/** The agent's default socket cap (HttpTarget.maxSockets overrides it). */
const DEFAULT_MAX_SOCKETS = 512;

/** A failed call's outcome for RequestRecords: the HTTP status, gRPC status name, `timeout`, the error's code, or `error`. */
function outcomeOf(error: unknown): string {
  const { outcome, code } = (error ?? {}) as { outcome?: unknown; code?: unknown };
  if (typeof outcome === 'string') return outcome;
  if (typeof code === 'number') return GrpcStatus[code] ?? String(code);
  if (typeof code === 'string') return code;
  return 'error';
}

/** The Retry-After header a failed HTTP answer carried ('' when none). */
function retryAfterOf(error: unknown): string {
  const { retryAfter } = (error ?? {}) as { retryAfter?: unknown };
  return typeof retryAfter === 'string' ? retryAfter : '';
}

function grpcCaller(target: GrpcTarget, timeoutMs: number): Caller {
  let method: MethodDefinition<unknown, unknown>;
  if (target.protoKey === 'echo') {
    method = ECHO_SERVICE.echo as MethodDefinition<unknown, unknown>;
  } else {
    const proto = STRATA_PROTOS[target.protoKey];
    const definition = loadSync(proto.protoPath, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTOS_DIR] });
    const service = definition[`${proto.package}.${target.service}`] as Record<string, MethodDefinition<unknown, unknown>> | undefined;
    const found = service?.[target.method];
    if (found === undefined) throw new Error(`no RPC ${proto.package}.${target.service}/${target.method}`);
    method = found;
  }
  const request = target.protoKey === 'echo' ? Buffer.from(JSON.stringify(target.request)) : target.request;
  // One channel (one HTTP/2 connection) for the whole job, not shared with any other client.
  const client = new Client(target.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(target.metadata ?? {})) metadata.set(key, value);
  const call: Call = () =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata.clone(), { deadline: Date.now() + timeoutMs }, (error: ServiceError | null) =>
        error === null ? resolve() : reject(error),
      );
    });
  return { call, close: () => Promise.resolve(client.close()) };
}

function httpCaller(target: HttpTarget, timeoutMs: number): Caller {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: target.maxSockets ?? DEFAULT_MAX_SOCKETS });
  const url = new URL(target.url);
  const body = target.body === undefined ? undefined : Buffer.from(target.body);
  const headers: Record<string, string | number> = { ...target.headers, ...(body === undefined ? {} : { 'content-length': body.byteLength }) };
  const call: Call = () =>
    new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: target.method, agent, headers }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (status >= 300) chunks.push(chunk);
        });
        res.on('end', () => {
          if (status < 300) return resolve();
          const retryAfter = res.headers['retry-after'];
          reject(Object.assign(new Error(`HTTP ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`), { outcome: String(status), retryAfter: typeof retryAfter === 'string' ? retryAfter : '' }));
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { outcome: 'timeout' })));
      req.on('error', reject);
      req.end(body);
    });
  return { call, close: () => Promise.resolve(agent.destroy()) };
}

function pgCaller(target: PgTarget, timeoutMs: number): Caller {
  const pool = new Pool({ connectionString: target.connectionString, max: 4, query_timeout: timeoutMs });
  const call: Call = async () => {
    await pool.query(target.text, [1 + Math.floor(Math.random() * target.randomIdUpTo)]);
  };
  return { call, close: () => pool.end() };
}

function callerOf(target: LoadTarget, timeoutMs: number): Caller {
  switch (target.kind) {
    case 'grpc':
      return grpcCaller(target, timeoutMs);
    case 'http':
      return httpCaller(target, timeoutMs);
    case 'pg':
      return pgCaller(target, timeoutMs);
  }
}

/** Latencies, failures and the first distinct error messages of one run. */
class Recorder {
  readonly latencies: number[] = [];
  errors = 0;
  private readonly samples = new Set<string>();
  /** Per request, by send index (open loop with recordRequests only). */
  private readonly records: { scheduledMs: number[]; latencyMs: number[]; sendLagMs: number[]; outcome: string[]; retryAfter: string[]; phaseStartsMs: number[] } | undefined;

  constructor(options: { recordRequests?: boolean; phaseStartsMs?: readonly number[] } = {}) {
    this.records = options.recordRequests === true ? { scheduledMs: [], latencyMs: [], sendLagMs: [], outcome: [], retryAfter: [], phaseStartsMs: [...(options.phaseStartsMs ?? [0])] } : undefined;
  }

  /** Notes request `index` (send order), scheduled at `scheduledMs` from the run's start, when requests are recorded. */
  recordRequest(index: number, scheduledMs: number, latencyMs: number, sendLagMs: number, error?: unknown): void {
    if (this.records === undefined) return;
    this.records.scheduledMs[index] = scheduledMs;
    this.records.latencyMs[index] = latencyMs;
    this.records.sendLagMs[index] = sendLagMs;
    this.records.outcome[index] = error === undefined ? 'ok' : outcomeOf(error);
    this.records.retryAfter[index] = error === undefined ? '' : retryAfterOf(error);
  }

  record(latencyMs: number, error?: unknown): void {
    this.latencies.push(latencyMs);
    if (error === undefined) return;
    this.errors += 1;
    if (this.samples.size < MAX_ERROR_SAMPLES) this.samples.add((error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_CHARS));
  }

  /** Throws when a latency is negative (or not a number): the run measured the harness, not the target. */
  result(sent: number, durationMs: number): LoadResult {
    const invalid = this.latencies.find((latency) => !(latency >= 0));
    if (invalid !== undefined) throw new Error(`a latency of ${invalid} ms was recorded: a request was timed from an instant after it was sent (harness defect)`);
    const ok = this.latencies.length - this.errors;
    const result: LoadResult = { stats: statsOf(this.latencies, this.errors), sent, errors: this.errors, errorSamples: [...this.samples], durationMs, throughputPerSecond: durationMs > 0 ? (ok / durationMs) * 1000 : 0 };
    if (this.records === undefined) return result;
    // A stopped run sent fewer than scheduled: keep the records of what was sent.
    const sentOnly = <T>(values: T[]): T[] => values.slice(0, sent);
    const { scheduledMs, latencyMs, sendLagMs, outcome, retryAfter, phaseStartsMs } = this.records;
    return { ...result, requests: { scheduledMs: sentOnly(scheduledMs), latencyMs: sentOnly(latencyMs), sendLagMs: sentOnly(sendLagMs), outcome: sentOnly(outcome), retryAfter: sentOnly(retryAfter), phaseStartsMs } };
  }
}

/** Set by the runner's `stop` message (see startOpenLoop): the open loop sends nothing more. */
let stopRequested = false;

/**
 * Sends `count` requests at `rate`/s on schedule (fewer when the runner says stop first). A request may leave up to EARLY_MS before its
 * time (timers fire in whole milliseconds); its latency counts from the earlier of its scheduled and
 * its actual send time: from the schedule when it left late, so a stalled server or generator shows
 * as latency, never as a slower rate (no coordinated omission), and from the actual send when it left
 * early, so an answer faster than the earliness is never a negative latency.
 */
function openLoop(call: Call, rate: number, firstCount: number, options: { thenPhases?: readonly OpenLoopPhase[]; recordRequests?: boolean } = {}): Promise<LoadResult> {
  const schedule = scheduleOf([{ ratePerSecond: rate, count: firstCount }, ...(options.thenPhases ?? [])]);
  const { count, offsetOf } = schedule;
  const recorder = new Recorder({ ...(options.recordRequests === undefined ? {} : { recordRequests: options.recordRequests }), phaseStartsMs: schedule.phaseStartsMs });
  const start = performance.now() + 5;
  let next = 0;
  let answered = 0;
  /** Requests this run sends: `count`, or as many as were sent when the stop came. */
  let limit = count;
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      try {
        resolve(recorder.result(limit, performance.now() - start));
      } catch (error) {
        reject(error);
      }
    };
    const send = (scheduled: number, index: number): void => {
      const sentAt = performance.now();
      const from = Math.min(scheduled, sentAt);
      const done = (error?: unknown): void => {
        const latencyMs = performance.now() - from;
        recorder.record(latencyMs, error);
        recorder.recordRequest(index, scheduled - start, latencyMs, Math.max(0, sentAt - scheduled), error);
        answered += 1;
        if (answered === limit) finish();
      };
      call().then(
        () => done(),
        (error: unknown) => done(error ?? new Error('failed')),
      );
    };
    const tick = (): void => {
      if (stopRequested && next < limit) {
        limit = next;
        if (answered === limit) finish();
        return;
      }
      const now = performance.now();
      while (next < count && start + offsetOf(next) <= now + EARLY_MS) {
        send(start + offsetOf(next), next);
        next += 1;
      }
      if (next < count) setTimeout(tick, Math.max(0, start + offsetOf(next) - EARLY_MS - performance.now()));
    };
    if (count === 0) finish();
    else setTimeout(tick, 0);
  });
}

/**
 * The open loop's schedule over its phases: request `i` is due `offsetOf(i)` ms after the start.
 * One phase gives `i * 1000 / rate`, as a plain open loop always had.
 */
function scheduleOf(phases: readonly OpenLoopPhase[]): { count: number; offsetOf: (index: number) => number; phaseStartsMs: number[] } {
  const firstIndex: number[] = [];
  const phaseStartsMs: number[] = [];
  let count = 0;
  let at = 0;
  for (const phase of phases) {
    firstIndex.push(count);
    phaseStartsMs.push(at);
    count += phase.count;
    at += (phase.count * 1000) / phase.ratePerSecond;
  }
  let phase = 0;
  const offsetOf = (index: number): number => {
    // Indexes only grow while sending: the phase moves forward (and back, for an earlier index).
    while (phase + 1 < phases.length && index >= (firstIndex[phase + 1] as number)) phase += 1;
    while (phase > 0 && index < (firstIndex[phase] as number)) phase -= 1;
    return (phaseStartsMs[phase] as number) + (index - (firstIndex[phase] as number)) * (1000 / (phases[phase] as OpenLoopPhase).ratePerSecond);
  };
  return { count, offsetOf, phaseStartsMs };
}

/** `concurrency` callers, each calling again as soon as its last call answered, until `durationMs` has passed. */
async function closedLoop(call: Call, concurrency: number, durationMs: number): Promise<LoadResult> {
  const recorder = new Recorder();
  const start = performance.now();
  const end = start + durationMs;
  let sent = 0;
  const caller = async (): Promise<void> => {
    while (performance.now() < end) {
      const before = performance.now();
      sent += 1;
      await call().then(
        () => recorder.record(performance.now() - before),
        (error: unknown) => recorder.record(performance.now() - before, error ?? new Error('failed')),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return recorder.result(sent, performance.now() - start);
}

async function run(job: LoadJob): Promise<LoadResult> {
  const caller = callerOf(job.target, job.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    let lastWarmupError: unknown;
    let warmupFailures = 0;
    const warmup = job.warmup ?? 50;
    for (let index = 0; index < warmup; index += 1) {
      await caller.call().catch((error: unknown) => {
        warmupFailures += 1;
        lastWarmupError = error;
      });
    }
    // A target that fails every warm-up call is broken, not slow: say why instead of timing errors.
    if (warmup > 0 && warmupFailures === warmup) throw new Error(`every warm-up call failed: ${lastWarmupError instanceof Error ? lastWarmupError.message : String(lastWarmupError)}`);
    if (job.mode === 'closed') return await closedLoop(caller.call, job.concurrency, job.durationMs);
    const options = { ...(job.thenPhases === undefined ? {} : { thenPhases: job.thenPhases }), ...(job.recordRequests === undefined ? {} : { recordRequests: job.recordRequests }) };
    return await openLoop(caller.call, job.ratePerSecond, job.count, options);
  } finally {
    await caller.close().catch(() => undefined);
  }
}

function answer(reply: LoadWorkerReply): void {
  process.send?.(reply, () => process.disconnect());
}

process.once('message', (job: LoadJob) => {
  // The only later message: stop sending (startOpenLoop's stop()); what was sent is still answered.
  process.on('message', (message: unknown) => {
    if (message === 'stop') stopRequested = true;
  });
  run(job).then(
    (result) => answer({ ok: true, result }),
    (error: unknown) => answer({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
// The runner went away: nothing left to answer.
process.once('disconnect', () => process.exit(0));

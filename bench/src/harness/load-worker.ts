// The load generator: a child process of the runner (runOpenLoop / runClosedLoop in load.ts), so
// it never shares an event loop with the runner or a server under test. It gets one job over
// IPC, opens its connections (one gRPC channel, one keep-alive HTTP agent or one small pg pool),
// warms up, runs the job, answers with the result, closes everything and exits.
import { Client, credentials, Metadata, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, PROTOS_DIR, STRATA_PROTOS } from '@strata/contracts';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { ECHO_SERVICE } from '../floors/echo-service';
import { DEFAULT_TIMEOUT_MS, type GrpcTarget, type HttpTarget, type LoadJob, type LoadResult, type LoadTarget, type LoadWorkerReply, type PgTarget } from './load';
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
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 512 });
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
        res.on('end', () => (status < 300 ? resolve() : reject(new Error(`HTTP ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`))));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
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
    return { stats: statsOf(this.latencies, this.errors), sent, errors: this.errors, errorSamples: [...this.samples], durationMs, throughputPerSecond: durationMs > 0 ? (ok / durationMs) * 1000 : 0 };
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
function openLoop(call: Call, rate: number, count: number): Promise<LoadResult> {
  const recorder = new Recorder();
  const interval = 1000 / rate;
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
    const send = (scheduled: number): void => {
      const from = Math.min(scheduled, performance.now());
      const done = (error?: unknown): void => {
        recorder.record(performance.now() - from, error);
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
      while (next < count && start + next * interval <= now + EARLY_MS) {
        send(start + next * interval);
        next += 1;
      }
      if (next < count) setTimeout(tick, Math.max(0, start + next * interval - EARLY_MS - performance.now()));
    };
    if (count === 0) finish();
    else setTimeout(tick, 0);
  });
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
    return job.mode === 'open' ? await openLoop(caller.call, job.ratePerSecond, job.count) : await closedLoop(caller.call, job.concurrency, job.durationMs);
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

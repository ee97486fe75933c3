import { performance } from 'node:perf_hooks';

import { Tensor } from 'onnxruntime-node';

/** Dynamic batching of one model: concurrent requests are coalesced into one session run. */
export interface BatchingOptions {
  /** Most rows (first dimension, summed over the coalesced requests) in one run; 1 = no batching. */
  maxBatchSize: number;
  /** Longest the first request of a batch waits for others to join, in ms; 0 = no waiting. */
  maxQueueDelayMs: number;
}

/** One onnxruntime session run: named input tensors in, named output tensors out. */
export type SessionRunner = (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

/** A request's outputs and where its time went. */
export interface BatchedResult {
  outputs: Record<string, Tensor>;
  /** From submission until the run that produced the outputs started, in ms. */
  queueMs: number;
  /** That run's duration, in ms. */
  inferenceMs: number;
  /** Rows (first dimension) of that run: this request's rows plus those coalesced with it. */
  batchRows: number;
}

/** What the batchers of this process ran since it started: mean batch size = rows / runs. */
export interface BatchRunTally {
  /** Session runs that answered their requests (a batched run, or one request run alone). */
  readonly runs: number;
  /** Rows (first dimension) those runs answered. */
  readonly rows: number;
  /** Requests those runs answered. */
  readonly requests: number;
}

// One tally for every batcher of the process (each model version has its own batcher): what
// /metrics shows. Plain numbers, counted once per run, so serving pays nothing for them.
const tally = { runs: 0, rows: 0, requests: 0 };

/** Session runs, rows and requests answered by every {@link DynamicBatcher} of this process so far. */
export function batchRunTally(): BatchRunTally {
  return { runs: tally.runs, rows: tally.rows, requests: tally.requests };
}

function countRun(rows: number, requests: number): void {
  tally.runs += 1;
  tally.rows += rows;
  tally.requests += requests;
}

interface PendingRequest {
  feeds: Record<string, Tensor>;
  rows: number;
  /** Requests with the same key can be concatenated along dim 0; undefined = runs alone. */
  key: string | undefined;
  submittedAt: number;
  resolve(result: BatchedResult): void;
  reject(error: unknown): void;
}

/**
 * Coalesces concurrent requests to one session into batched runs, one run at a time: requests
 * with the same input names, datatypes and dimensions after the first are concatenated along
 * dimension 0 (at most `maxBatchSize` rows), run once, and the outputs split back by each
 * request's row count. The first request of a batch waits at most `maxQueueDelayMs` for others;
 * while a run is in progress the next batch collects.
 *
 * A batch never makes a request fail for another one's sake: when a batched run fails, or an
 * output's first dimension is not the batch's row count (a model that does not map rows one to
 * one), its requests run again one by one. A request of more than `maxBatchSize` rows, or one
 * whose inputs cannot be concatenated (scalars, inputs of different row counts), runs alone.
 */
export class DynamicBatcher {
  private readonly queue: PendingRequest[] = [];
  // Rows of the batch the head request would run in now (as takeBatch picks it): "full" at maxBatchSize.
  private headRows = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly runSession: SessionRunner,
    private readonly options: BatchingOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isSafeInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new RangeError(`batching.maxBatchSize must be an integer >= 1, got ${options.maxBatchSize}`);
    }
    if (!Number.isFinite(options.maxQueueDelayMs) || options.maxQueueDelayMs < 0) {
      throw new RangeError(`batching.maxQueueDelayMs must be a finite number >= 0, got ${options.maxQueueDelayMs}`);
    }
  }

  /** Requests waiting for a run (not counting the run in progress). */
  get queued(): number {
    return this.queue.length;
  }

  /** True when nothing is queued or running. */
  isIdle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Queues one request's (already validated) feeds; resolves with its own outputs. */
  submit(feeds: Record<string, Tensor>): Promise<BatchedResult> {
    return new Promise<BatchedResult>((resolve, reject) => {
      const { rows, key } = batchShapeOf(feeds);
      const request: PendingRequest = { feeds, rows, key, submittedAt: this.now(), resolve, reject };
      const head = this.queue[0];
      this.queue.push(request);
      if (head === undefined) this.headRows = request.rows;
      else if (this.fitsHeadBatch(head, request, this.headRows)) this.headRows += request.rows;
      this.schedule();
    });
  }

  /** Starts the next run now, or when the head request's delay is up, unless a run is in progress. */
  private schedule(): void {
    if (this.running) return;
    const head = this.queue[0];
    if (head === undefined) return;
    const full = head.key === undefined || this.headRows >= this.options.maxBatchSize;
    const waitMs = head.submittedAt + this.options.maxQueueDelayMs - this.now();
    if (full || (this.options.maxQueueDelayMs > 0 && waitMs <= 0)) {
      this.cancelTimers();
      void this.runNext();
    } else if (this.options.maxQueueDelayMs === 0) {
      // Run as soon as the session is free, after the requests that arrived in the same I/O phase joined.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        void this.runNext();
      });
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.runNext();
      }, waitMs);
    }
  }

  private cancelTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private async runNext(): Promise<void> {
    if (this.running) return;
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.running = true;
    try {
      if (batch.length === 1) await this.runAlone(batch[0] as PendingRequest);
      else await this.runBatch(batch);
    } catch (error) {
      // Not a run failure (those are answered per request) but a bug in splitting or joining:
      // the requests still get an answer; settling an already settled one does nothing.
      for (const request of batch) request.reject(error);
    } finally {
      this.running = false;
      this.schedule();
      if (this.isIdle()) this.notifyIdle();
    }
  }

  /** Removes the head request and the queued requests that can join it (FIFO, up to maxBatchSize rows). */
  private takeBatch(): PendingRequest[] {
    const head = this.queue.shift();
    if (head === undefined) return [];
    const batch = [head];
    const { maxBatchSize } = this.options;
    let rows = head.rows;
    if (head.key !== undefined && rows < maxBatchSize) {
      for (let index = 0; index < this.queue.length && rows < maxBatchSize; ) {
        const candidate = this.queue[index] as PendingRequest;
        if (this.fitsHeadBatch(head, candidate, rows)) {
          batch.push(candidate);
          rows += candidate.rows;
          this.queue.splice(index, 1);
        } else {
          index += 1;
        }
      }
    }
    const next = this.queue[0];
    this.headRows = next === undefined ? 0 : this.queue.slice(1).reduce((sum, request) => (this.fitsHeadBatch(next, request, sum) ? sum + request.rows : sum), next.rows);
    return batch;
  }

  /** Whether `candidate` joins the batch of `head` that has `rows` rows so far (greedy, in FIFO order). */
  private fitsHeadBatch(head: PendingRequest, candidate: PendingRequest, rows: number): boolean {
    return head.key !== undefined && candidate.key === head.key && rows + candidate.rows <= this.options.maxBatchSize;
  }

  private async runAlone(request: PendingRequest): Promise<void> {
    const started = this.now();
    try {
      const outputs = await this.runSession(request.feeds);
      countRun(request.rows, 1);
      request.resolve({ outputs, queueMs: started - request.submittedAt, inferenceMs: this.now() - started, batchRows: request.rows });
    } catch (error) {
      request.reject(error);
    }
  }

  private async runBatch(batch: PendingRequest[]): Promise<void> {
    const totalRows = batch.reduce((sum, request) => sum + request.rows, 0);
    const started = this.now();
    let results: Record<string, Tensor> | undefined;
    try {
      results = await this.runSession(concatFeeds(batch));
    } catch {
      // One bad request must not fail the others: each runs alone and gets its own answer.
      results = undefined;
    }
    const inferenceMs = this.now() - started;
    if (results === undefined || !Object.values(results).every((tensor) => tensor.dims[0] === totalRows)) {
      for (const request of batch) await this.runAlone(request);
      return;
    }
    countRun(totalRows, batch.length);
    let firstRow = 0;
    for (const request of batch) {
      const outputs: Record<string, Tensor> = {};
      for (const [name, tensor] of Object.entries(results)) outputs[name] = sliceRows(tensor, firstRow, request.rows);
      firstRow += request.rows;
      request.resolve({ outputs, queueMs: started - request.submittedAt, inferenceMs, batchRows: totalRows });
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** A request's row count and batching key: input names, types and dims after the first. */
function batchShapeOf(feeds: Record<string, Tensor>): { rows: number; key: string | undefined } {
  const names = Object.keys(feeds).sort();
  let rows: number | undefined;
  const parts: string[] = [];
  for (const name of names) {
    const tensor = feeds[name] as Tensor;
    const first = tensor.dims[0];
    if (first === undefined || (rows !== undefined && first !== rows)) return { rows: rows ?? 1, key: undefined };
    rows = first;
    parts.push(`${JSON.stringify(name)}:${tensor.type}[${tensor.dims.slice(1).join(',')}]`);
  }
  if (rows === undefined) return { rows: 1, key: undefined };
  return { rows, key: parts.join(';') };
}

type TensorData = Tensor['data'];

function concatFeeds(batch: readonly PendingRequest[]): Record<string, Tensor> {
  const first = (batch[0] as PendingRequest).feeds;
  const totalRows = batch.reduce((sum, request) => sum + request.rows, 0);
  const feeds: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(first)) {
    const parts = batch.map((request) => (request.feeds[name] as Tensor).data);
    feeds[name] = new Tensor(tensor.type, concatData(parts), [totalRows, ...tensor.dims.slice(1)]);
  }
  return feeds;
}

function concatData(parts: readonly TensorData[]): TensorData {
  const first = parts[0] as TensorData;
  if (Array.isArray(first)) return (parts as string[][]).flat();
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const TypedArray = first.constructor as new (length: number) => Exclude<TensorData, string[]>;
  const out = new TypedArray(length);
  let offset = 0;
  for (const part of parts) {
    (out as unknown as { set(values: ArrayLike<unknown>, offset: number): void }).set(part as ArrayLike<unknown>, offset);
    offset += part.length;
  }
  return out;
}

function sliceRows(tensor: Tensor, firstRow: number, rows: number): Tensor {
  const rest = tensor.dims.slice(1);
  const rowSize = rest.reduce((product, dim) => product * dim, 1);
  // A copy, not a view: the caller may hand the data's buffer on as is.
  const data = tensor.data.slice(firstRow * rowSize, (firstRow + rows) * rowSize) as TensorData;
  return new Tensor(tensor.type, data as never, [rows, ...rest]);
}

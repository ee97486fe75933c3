import { Tensor } from 'onnxruntime-node';

import { batchRunTally, type BatchingOptions, type BatchRunTally, DynamicBatcher } from './dynamic-batcher';

type Feeds = Record<string, Tensor>;

const rowsOf = (rows: number[][]): Feeds => ({ x: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]?.length ?? 0]) });
const oneRow = (value: number): Feeds => rowsOf([[value, value]]);

/**
 * A fake session: y[row] = sum of x[row], FP32 [rows, 1]. It records each run's row count,
 * fails on a NaN value, and runs only when the test opens its gate (when gated).
 */
class FakeSession {
  readonly runs: number[] = [];
  private gate: Promise<void> | undefined;
  private openGate: () => void = () => undefined;
  /** When set, every run answers this fixed-shape output instead (a model that does not map rows one to one). */
  fixedOutput: Tensor | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.openGate();
  }

  readonly run = async (feeds: Feeds): Promise<Feeds> => {
    const x = feeds['x'] as Tensor;
    const [rows = 0, cols = 1] = x.dims;
    this.runs.push(rows);
    if (this.gate !== undefined) await this.gate;
    const data = x.data as Float32Array;
    if (data.some((value) => Number.isNaN(value))) throw new Error('NaN in the input');
    if (this.fixedOutput !== undefined) return { y: this.fixedOutput };
    const y = new Float32Array(rows);
    for (let row = 0; row < rows; row += 1) for (let col = 0; col < cols; col += 1) y[row] = (y[row] ?? 0) + (data[row * cols + col] ?? 0);
    return { y: new Tensor('float32', y, [rows, 1]) };
  };
}

const yOf = (outputs: Feeds): number[] => Array.from(outputs['y']?.data as Float32Array);

function aBatcher(session: FakeSession, options: Partial<BatchingOptions> = {}, now?: () => number): DynamicBatcher {
  return new DynamicBatcher(session.run, { maxBatchSize: 32, maxQueueDelayMs: 0, ...options }, now);
}

describe(DynamicBatcher.name, () => {
  it('coalesces requests of the same tick into one run and splits the outputs back by rows', async () => {
    const session = new FakeSession();
    const batcher = aBatcher(session);

    const results = await Promise.all([batcher.submit(oneRow(1)), batcher.submit(rowsOf([[2, 2], [3, 3]])), batcher.submit(oneRow(4))]);

    expect(session.runs).toEqual([4]);
    expect(results.map((result) => ({ y: yOf(result.outputs), shape: result.outputs['y']?.dims, batchRows: result.batchRows }))).toEqual([
      { y: [2], shape: [1, 1], batchRows: 4 },
      { y: [4, 6], shape: [2, 1], batchRows: 4 },
      { y: [8], shape: [1, 1], batchRows: 4 },
    ]);
  });

  it('collects the next batch while a run is in progress, up to maxBatchSize rows', async () => {
    const session = new FakeSession();
    const batcher = aBatcher(session, { maxBatchSize: 2 });
    session.hold();
    const first = batcher.submit(oneRow(1));
    await new Promise((resolve) => setImmediate(resolve));
    const queued = [2, 3, 4, 5, 6].map((value) => batcher.submit(oneRow(value)));

    expect({ runs: [...session.runs], queued: batcher.queued }).toEqual({ runs: [1], queued: 5 });
    session.release();
    const results = await Promise.all([first, ...queued]);

    expect(session.runs).toEqual([1, 2, 2, 1]);
    expect(results.map((result) => yOf(result.outputs)[0])).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batcher.isIdle()).toBe(true);
  });

  it('runs a full batch at once, without waiting for the queue delay', async () => {
    const session = new FakeSession();
    // The test would time out if the batch waited for its 10-minute delay.
    const batcher = aBatcher(session, { maxBatchSize: 3, maxQueueDelayMs: 600_000 });

    const results = await Promise.all([1, 2, 3].map((value) => batcher.submit(oneRow(value))));

    expect({ runs: session.runs, batchRows: results.map((result) => result.batchRows) }).toEqual({ runs: [3], batchRows: [3, 3, 3] });
  });

  it('runs a partial batch once the first request waited maxQueueDelayMs', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    try {
      let clock = 0;
      const session = new FakeSession();
      const batcher = aBatcher(session, { maxBatchSize: 32, maxQueueDelayMs: 5 }, () => clock);
      const first = batcher.submit(oneRow(1));
      clock = 3;
      jest.advanceTimersByTime(3);
      const second = batcher.submit(oneRow(2));
      expect(session.runs).toEqual([]);

      clock = 5;
      jest.advanceTimersByTime(2);
      const results = await Promise.all([first, second]);

      expect(session.runs).toEqual([2]);
      expect(results.map((result) => result.queueMs)).toEqual([5, 2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('runs a request larger than maxBatchSize alone', async () => {
    const session = new FakeSession();
    const batcher = aBatcher(session, { maxBatchSize: 2 });

    const results = await Promise.all([batcher.submit(oneRow(1)), batcher.submit(rowsOf([[1, 1], [2, 2], [3, 3]])), batcher.submit(oneRow(2))]);

    expect(session.runs).toEqual([2, 3]);
    expect(results.map((result) => yOf(result.outputs))).toEqual([[2], [2, 4, 6], [4]]);
  });

  it('does not coalesce requests whose dimensions after the first differ', async () => {
    const session = new FakeSession();
    const batcher = aBatcher(session);

    const results = await Promise.all([batcher.submit(oneRow(1)), batcher.submit(rowsOf([[1, 1, 1]])), batcher.submit(oneRow(2))]);

    expect(session.runs).toEqual([2, 1]);
    expect(results.map((result) => yOf(result.outputs))).toEqual([[2], [3], [4]]);
  });

  it('retries the requests of a failed batch one by one, so only the bad request fails', async () => {
    const session = new FakeSession();
    const batcher = aBatcher(session);

    const results = await Promise.allSettled([batcher.submit(oneRow(1)), batcher.submit(oneRow(Number.NaN)), batcher.submit(oneRow(3))]);

    expect(session.runs).toEqual([3, 1, 1, 1]);
    expect(results.map((result) => (result.status === 'fulfilled' ? yOf(result.value.outputs) : (result.reason as Error).message))).toEqual([[2], 'NaN in the input', [6]]);
  });

  it('runs the requests one by one when an output does not have one row per input row', async () => {
    const session = new FakeSession();
    session.fixedOutput = new Tensor('float32', Float32Array.from([42]), [1, 1]);
    const batcher = aBatcher(session);

    const results = await Promise.all([batcher.submit(oneRow(1)), batcher.submit(oneRow(2))]);

    expect(session.runs).toEqual([2, 1, 1]);
    expect(results.map((result) => ({ y: yOf(result.outputs), batchRows: result.batchRows }))).toEqual([
      { y: [42], batchRows: 1 },
      { y: [42], batchRows: 1 },
    ]);
  });

  it('concatenates INT64 and string inputs', async () => {
    const runs: Feeds[] = [];
    const batcher = new DynamicBatcher(
      (feeds) => {
        runs.push(feeds);
        return Promise.resolve({ ids: feeds['ids'] as Tensor, names: feeds['names'] as Tensor });
      },
      { maxBatchSize: 8, maxQueueDelayMs: 0 },
    );
    const request = (id: bigint, name: string): Feeds => ({ ids: new Tensor('int64', BigInt64Array.from([id, id]), [1, 2]), names: new Tensor('string', [name], [1]) });

    const [a, b] = await Promise.all([batcher.submit(request(1n, 'a')), batcher.submit(request(2n, 'b'))]);

    expect(runs.map((feeds) => ({ ids: Array.from(feeds['ids']?.data as BigInt64Array), names: feeds['names']?.data }))).toEqual([{ ids: [1n, 1n, 2n, 2n], names: ['a', 'b'] }]);
    expect([a, b].map((result) => ({ ids: Array.from(result?.outputs['ids']?.data as BigInt64Array), names: result?.outputs['names']?.data }))).toEqual([
      { ids: [1n, 1n], names: ['a'] },
      { ids: [2n, 2n], names: ['b'] },
    ]);
  });

  it('resolves whenIdle once the queue has drained', async () => {
    const session = new FakeSession();
    const batcher = aBatcher(session);
    session.hold();
    const pending = batcher.submit(oneRow(1));
    const idle = batcher.whenIdle();
    expect(batcher.isIdle()).toBe(false);

    session.release();
    await Promise.all([pending, idle]);
    expect(batcher.isIdle()).toBe(true);
  });

  it('tallies the runs that answered, their rows and requests, over every batcher of the process', async () => {
    const since = (before: BatchRunTally): BatchRunTally => {
      const now = batchRunTally();
      return { runs: now.runs - before.runs, rows: now.rows - before.rows, requests: now.requests - before.requests };
    };
    const session = new FakeSession();
    const batcher = aBatcher(session, { maxBatchSize: 4 });
    const other = aBatcher(new FakeSession(), { maxBatchSize: 1 });
    const before = batchRunTally();

    // One run of 4 rows (3 requests), one of 1 row; the other batcher: 2 runs of 1 row.
    await Promise.all([batcher.submit(oneRow(1)), batcher.submit(rowsOf([[2, 2], [3, 3]])), batcher.submit(oneRow(4)), batcher.submit(oneRow(5))]);
    await Promise.all([other.submit(oneRow(1)), other.submit(oneRow(2))]);
    expect(since(before)).toEqual({ runs: 4, rows: 7, requests: 6 });

    // A failed batch counts only the runs that answered: the two retried alone that succeeded.
    const failed = batchRunTally();
    await Promise.allSettled([batcher.submit(oneRow(1)), batcher.submit(oneRow(Number.NaN)), batcher.submit(oneRow(3))]);
    expect(session.runs.slice(-4)).toEqual([3, 1, 1, 1]);
    expect(since(failed)).toEqual({ runs: 2, rows: 2, requests: 2 });
  });

  it.each([
    [{ maxBatchSize: 0, maxQueueDelayMs: 0 }, 'batching.maxBatchSize must be an integer >= 1, got 0'],
    [{ maxBatchSize: 2.5, maxQueueDelayMs: 0 }, 'batching.maxBatchSize must be an integer >= 1, got 2.5'],
    [{ maxBatchSize: 4, maxQueueDelayMs: -1 }, 'batching.maxQueueDelayMs must be a finite number >= 0, got -1'],
  ])('refuses options %j', (options, message) => {
    expect(() => new DynamicBatcher(new FakeSession().run, options)).toThrow(message);
  });
});

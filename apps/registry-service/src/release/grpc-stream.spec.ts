import { EventEmitter } from 'node:events';
import { streamFrom } from './grpc-stream';

class FakeCall extends EventEmitter {
  writableNeedDrain = false;
}

describe(streamFrom.name, () => {
  async function* numbers(signal: AbortSignal): AsyncGenerator<number> {
    for (let i = 1; i <= 3 && !signal.aborted; i++) yield i;
  }

  it('emits every value mapped, then completes', async () => {
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => streamFrom(numbers, (n) => `#${n}`, new FakeCall()).subscribe({ next: (v) => values.push(v), error: reject, complete: resolve }));
    expect(values).toEqual(['#1', '#2', '#3']);
  });

  it('pulls the next value only after the call drained its buffer', async () => {
    const call = new FakeCall();
    const values: number[] = [];
    let firstSent!: () => void;
    const first = new Promise<void>((resolve) => (firstSent = resolve));
    const completed = new Promise<void>((resolve) => {
      streamFrom(numbers, (n) => n, call).subscribe({
        next: (n) => {
          values.push(n);
          call.writableNeedDrain = n === 1; // the first write fills the buffer
          if (n === 1) firstSent();
        },
        complete: resolve,
      });
    });
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(values).toEqual([1]);

    call.writableNeedDrain = false;
    call.emit('drain');
    await completed;
    expect(values).toEqual([1, 2, 3]);
  });

  it('aborts the generator when unsubscribed, and passes its errors on', async () => {
    let seenSignal: AbortSignal | undefined;
    async function* endless(signal: AbortSignal): AsyncGenerator<number> {
      seenSignal = signal;
      yield 1;
      await new Promise(() => undefined);
    }
    const subscription = streamFrom(endless, (n) => n, undefined).subscribe({});
    await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    expect(seenSignal?.aborted).toBe(true);

    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<number> {
      throw new Error('boom');
    }
    await expect(new Promise((resolve, reject) => streamFrom(failing, (n) => n, undefined).subscribe({ complete: () => resolve(undefined), error: reject }))).rejects.toThrow('boom');
  });
});

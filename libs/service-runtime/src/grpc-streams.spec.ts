import { EventEmitter } from 'node:events';
import { Subject } from 'rxjs';
import { receiveWithBackpressure, sendWithBackpressure } from './grpc-streams';

class CancelledForTest extends Error {}
const cancelled = (): Error => new CancelledForTest('the client cancelled');

/** The parts of a grpc-js server call the flow helpers use, recording pause/resume. */
class FakeCall extends EventEmitter {
  readonly flow: string[] = [];
  writableNeedDrain = false;
  pause(): void {
    this.flow.push('pause');
  }
  resume(): void {
    this.flow.push('resume');
  }
}

describe(receiveWithBackpressure.name, () => {
  it('pauses the call when messages pile up and resumes it once they are consumed', async () => {
    const messages = new Subject<number>();
    const call = new FakeCall();
    const iterator = receiveWithBackpressure(messages, call, cancelled, 2);

    const first = iterator.next();
    [1, 2, 3].forEach((message) => messages.next(message));
    expect(call.flow).toEqual(['pause']);

    expect(await first).toEqual({ done: false, value: 1 });
    expect(await iterator.next()).toEqual({ done: false, value: 2 });
    expect(await iterator.next()).toEqual({ done: false, value: 3 });
    expect(call.flow).toEqual(['pause', 'resume']);
    messages.complete();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('keeps messages that arrive before the first next() (Nest replays early messages right after the handler returns)', async () => {
    const messages = new Subject<number>();
    const iterator = receiveWithBackpressure(messages, new FakeCall(), cancelled);

    messages.next(1);
    messages.complete();

    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('resumes a paused call when the consumer stops early, so grpc-js can send the response', async () => {
    const messages = new Subject<number>();
    const call = new FakeCall();
    const iterator = receiveWithBackpressure(messages, call, cancelled, 2);
    [1, 2].forEach((message) => messages.next(message));

    await iterator.return!();

    expect(call.flow).toEqual(['pause', 'resume']);
  });

  it('ends with CancelledForTest when the client cancels, even with messages waiting', async () => {
    const messages = new Subject<number>();
    const call = new FakeCall();
    const iterator = receiveWithBackpressure(messages, call, cancelled);
    const first = iterator.next();
    messages.next(1);
    await first;
    messages.next(2);

    call.emit('cancelled');

    await expect(iterator.next()).rejects.toBeInstanceOf(CancelledForTest);
    expect(call.listenerCount('cancelled')).toBe(0);
  });

  it('passes on an error of the message stream', async () => {
    const messages = new Subject<number>();
    const iterator = receiveWithBackpressure(messages, new FakeCall(), cancelled);
    const next = iterator.next();

    messages.error(new Error('bad message'));

    await expect(next).rejects.toThrow('bad message');
  });
});

describe(sendWithBackpressure.name, () => {
  async function* itemsCounting(items: number[], pulled: number[]): AsyncGenerator<number> {
    for (const item of items) {
      pulled.push(item);
      yield item;
    }
  }
  const turnOfTheEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

  it('emits the first item at once and the next ones only after the full call drained', async () => {
    const call = new FakeCall();
    call.writableNeedDrain = true;
    const emitted: number[] = [];
    const completed = new Promise<void>((resolve) => {
      sendWithBackpressure(call, 1, itemsCounting([2, 3], [])).subscribe({ next: (item) => emitted.push(item), complete: resolve });
    });
    await turnOfTheEventLoop();
    expect(emitted).toEqual([1]);

    call.writableNeedDrain = false;
    call.emit('drain');
    await completed;

    expect(emitted).toEqual([1, 2, 3]);
  });

  it('stops pulling items when the subscriber goes away (the call was cancelled)', async () => {
    const call = new FakeCall();
    call.writableNeedDrain = true;
    const pulled: number[] = [];
    const subscription = sendWithBackpressure(call, 1, itemsCounting([2, 3, 4], pulled)).subscribe();
    await turnOfTheEventLoop();

    subscription.unsubscribe();
    call.emit('cancelled');
    await turnOfTheEventLoop();

    expect(pulled).toEqual([2]);
  });
});

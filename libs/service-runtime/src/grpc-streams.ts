import { Observable, type Subscription } from 'rxjs';

/** The flow-control side of a grpc-js server call that receives a stream. */
export interface ReadableCall {
  pause(): unknown;
  resume(): unknown;
  once(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
}

/** The flow-control side of a grpc-js server call that sends a stream. */
export interface WritableCall {
  readonly writableNeedDrain: boolean;
  once(event: 'drain' | 'cancelled' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'cancelled' | 'close', listener: () => void): unknown;
}

/**
 * Consumes the messages Nest hands a client-streaming handler as an async iterator with
 * backpressure: once `highWaterMark` messages wait unconsumed the call is paused (grpc-js
 * then stops reading and HTTP/2 flow control holds the sender), and it resumes when the
 * consumer has caught up. A cancelled call ends the iteration with `cancelledError()`, even
 * with messages still waiting.
 *
 * It subscribes at once: Nest replays the messages that arrived before the handler ran right
 * after the handler returns, to whoever is subscribed then. `return()` unsubscribes.
 */
export function receiveWithBackpressure<T>(
  messages: Observable<T>,
  call: ReadableCall,
  cancelledError: () => Error,
  highWaterMark = 4,
): AsyncIterableIterator<T> {
  return new BackpressuredMessages(messages, call, cancelledError, highWaterMark);
}

class BackpressuredMessages<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private paused = false;
  private wake: (() => void) | undefined;
  private readonly subscription: Subscription;
  private readonly onCancelled = (): void => {
    this.failure = { error: this.cancelledError() };
    this.notify();
  };

  constructor(
    messages: Observable<T>,
    private readonly call: ReadableCall,
    private readonly cancelledError: () => Error,
    private readonly highWaterMark: number,
  ) {
    call.once('cancelled', this.onCancelled);
    this.subscription = messages.subscribe({
      next: (message) => {
        this.queue.push(message);
        if (!this.paused && this.queue.length >= this.highWaterMark) {
          this.paused = true;
          this.call.pause();
        }
        this.notify();
      },
      error: (error: unknown) => {
        this.failure ??= { error };
        this.notify();
      },
      complete: () => {
        this.ended = true;
        this.notify();
      },
    });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.failure !== undefined) {
        this.close();
        throw this.failure.error;
      }
      if (this.queue.length > 0) {
        const value = this.queue.shift() as T;
        if (this.paused && this.queue.length === 0) {
          this.paused = false;
          this.call.resume();
        }
        return { done: false, value };
      }
      if (this.ended) {
        this.close();
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return { done: true, value: undefined };
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }

  // A paused call would also hold back the response: grpc-js sends the status only once the
  // message it is delivering has been taken. Whatever still arrives is dropped unread.
  private close(): void {
    this.subscription.unsubscribe();
    this.call.off('cancelled', this.onCancelled);
    if (this.paused) {
      this.paused = false;
      this.call.resume();
    }
  }
}

/**
 * An Observable for Nest's server-streaming writer that emits `first`, then the items of
 * `rest`, pulling the next item only when the call can take more (its write buffer drained),
 * so a slow receiver never makes the server buffer a whole artifact or dataset.
 */
export function sendWithBackpressure<T>(call: WritableCall, first: T, rest: AsyncIterable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let stopped = false;
    const canWrite = (): Promise<void> =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          for (const event of ['drain', 'cancelled', 'close'] as const) call.off(event, done);
          resolve();
        };
        for (const event of ['drain', 'cancelled', 'close'] as const) call.once(event, done);
      });
    const pump = async (): Promise<void> => {
      subscriber.next(first);
      for await (const item of rest) {
        if (stopped) return;
        if (call.writableNeedDrain) await canWrite();
        if (stopped) return;
        subscriber.next(item);
      }
      subscriber.complete();
    };
    pump().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
}

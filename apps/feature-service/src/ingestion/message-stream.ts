import { Observable, type Subscription } from 'rxjs';

/** The flow-control side of a grpc-js server call that receives a stream. */
export interface ReadableCall {
  pause(): unknown;
  resume(): unknown;
  once(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
}

/**
 * Consumes the messages Nest hands a client-streaming handler as an async iterator with
 * backpressure: once `highWaterMark` messages wait unconsumed the call is paused, and it
 * resumes when the consumer caught up. Subscribes at once (Nest replays early messages to
 * whoever is subscribed right after the handler returns). A cancelled call ends it with an error.
 */
export function receiveMessages<T>(messages: Observable<T>, call: ReadableCall, highWaterMark = 2): AsyncIterableIterator<T> {
  return new BackpressuredMessages(messages, call, highWaterMark);
}

class BackpressuredMessages<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private paused = false;
  private wake: (() => void) | undefined;
  private readonly subscription: Subscription;
  private readonly onCancelled = (): void => {
    this.failure = { error: new Error('the client cancelled the stream') };
    this.notify();
  };

  constructor(
    messages: Observable<T>,
    private readonly call: ReadableCall,
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
      if (this.queue.length > 0) {
        const value = this.queue.shift() as T;
        if (this.paused && this.queue.length === 0) {
          this.paused = false;
          this.call.resume();
        }
        return { done: false, value };
      }
      if (this.failure !== undefined) {
        this.close();
        throw this.failure.error;
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

  private close(): void {
    this.subscription.unsubscribe();
    this.call.off('cancelled', this.onCancelled);
    if (this.paused) {
      this.paused = false;
      this.call.resume();
    }
  }
}

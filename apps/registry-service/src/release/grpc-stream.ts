import { once } from 'node:events';
import { Observable } from 'rxjs';

/** The writable side of a server-streaming call, as far as flow control needs it. */
export interface WritableCall {
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/**
 * A server stream from an async generator, with flow control: the next message is pulled only
 * once the call's buffer has room, so a slow client holds back its own watcher instead of
 * growing memory. Unsubscribing (client cancel, server cut) aborts the generator's signal.
 */
export function streamFrom<T, R>(produce: (signal: AbortSignal) => AsyncGenerator<T>, toMessage: (value: T) => R, call: WritableCall | undefined): Observable<R> {
  return new Observable<R>((subscriber) => {
    const abort = new AbortController();
    void (async () => {
      const values = produce(abort.signal);
      try {
        for await (const value of values) {
          if (abort.signal.aborted) break;
          subscriber.next(toMessage(value));
          if (call?.writableNeedDrain === true) await drained(call, abort.signal);
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => abort.abort();
  });
}

async function drained(call: WritableCall, signal: AbortSignal): Promise<void> {
  try {
    await once(call as unknown as NodeJS.EventEmitter, 'drain', { signal });
  } catch {
    // aborted: the stream is over
  }
}

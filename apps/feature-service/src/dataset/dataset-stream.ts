import { Observable } from 'rxjs';

/** The flow-control side of a grpc-js server call that sends a stream. */
export interface WritableCall {
  readonly writableNeedDrain: boolean;
  once(event: 'drain' | 'cancelled' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'cancelled' | 'close', listener: () => void): unknown;
}

/**
 * An Observable for Nest's server-streaming writer that emits `first`, then the items of
 * `rest`, pulling the next item only when the call can take more (its write buffer
 * drained), so a slow reader never makes the server buffer a whole dataset. (Same pattern
 * as registry-service's DownloadArtifact; apps do not import each other.)
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

import { performance } from 'node:perf_hooks';

/**
 * The longest time the event loop ran nothing else while the probe was on: a timer chain that
 * notes how late each tick fires. Unlike `monitorEventLoopDelay`, whose histogram counts the time
 * it was disabled as one long delay when it is enabled again, a probe can be started per model
 * load. The timer never keeps the process alive.
 *
 * A stall is seen from the last tick before it, so it reads up to `resolutionMs` short (a stall
 * that begins just after a tick); one shorter than the resolution may read 0. Time the process
 * was not scheduled at all (a busy core) counts too: requests wait through it just the same.
 */
export class EventLoopStallProbe {
  private longest = 0;
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly resolutionMs: number) {
    this.schedule();
  }

  /** Starts a probe ticking every `resolutionMs` (a stall reads up to that much short). */
  static start(resolutionMs = 10): EventLoopStallProbe {
    return new EventLoopStallProbe(resolutionMs);
  }

  /** Stops the probe; returns the longest stall seen, in ms (0 when none), counting the one in progress. */
  stop(): number {
    if (!this.stopped) {
      this.stopped = true;
      clearTimeout(this.timer);
      this.note();
    }
    return this.longest;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.note();
      this.schedule();
    }, this.resolutionMs).unref();
  }

  private note(): void {
    const now = performance.now();
    this.longest = Math.max(this.longest, now - this.last - this.resolutionMs);
    this.last = now;
  }
}

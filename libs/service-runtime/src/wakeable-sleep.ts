/**
 * A polling loop's pause that can be cut short: `sleep(ms)` waits up to `ms`, `wake()` ends
 * the current pause at once — or, if none is running, makes the next `sleep` return
 * immediately, so a wake-up between two polls is never lost. Job workers poll their queue
 * with it and wake it when this process enqueues work.
 */
export class WakeableSleep {
  private resolveCurrent: (() => void) | undefined;
  private wakeRequested = false;

  wake(): void {
    this.wakeRequested = true;
    this.resolveCurrent?.();
  }

  async sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.resolveCurrent = done;
    });
    this.resolveCurrent = undefined;
    this.wakeRequested = false;
  }
}

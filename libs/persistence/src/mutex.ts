/**
 * A first-come, first-served lock inside one process. PGlite has a single connection, so
 * PostgreSQL's session locks cannot keep two callers in the same process apart; this does.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Waits for the lock; resolves to the function that releases it. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => released);
    await previous;
    return release;
  }
}

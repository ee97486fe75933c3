/** How a mirrored run ended. */
export type MirrorOutcome<T> = { readonly ok: true; readonly outputs: T } | { readonly ok: false; readonly error: unknown };

/** Options of a {@link ShadowMirror}. */
export interface ShadowMirrorOptions {
  /** Copies scheduled or running at once; beyond it copies are dropped. Default 4. */
  readonly maxInFlight?: number;
  /** A run still pending after this many ms counts as failed and frees its slot. Default: no limit. */
  readonly timeoutMs?: number;
  /** Monotonic clock in microseconds, for the run's latency. Default `performance.now() × 1000`. */
  readonly nowUs?: () => number;
  /** Told when an `onDone` callback throws (the mirror swallows it). Default: ignored. */
  readonly onCallbackError?: (error: unknown) => void;
}

/** What a {@link ShadowMirror} did so far. */
export interface ShadowMirrorCounters {
  /** Copies accepted and run (or about to run), failed ones included. */
  readonly mirrored: number;
  /** Copies refused because `maxInFlight` copies were already in flight. */
  readonly dropped: number;
  /** Accepted copies whose run threw, rejected or timed out. */
  readonly failed: number;
}

/** The default bound on copies in flight: small, so a slow shadow version cannot pile up work. */
export const DEFAULT_MAX_SHADOW_IN_FLIGHT = 4;

/**
 * Runs copies of live requests on another version, off the live path: `mirror()` only
 * schedules the run with `setImmediate` (so it starts after the live response has been
 * written) and returns at once. At most `maxInFlight` copies are scheduled or running; a
 * copy beyond that is dropped and counted — shadow traffic is sampled, never queued. A
 * failing run, or a throwing callback, is caught and counted; nothing is awaited by or
 * thrown into the caller.
 */
export class ShadowMirror {
  private readonly maxInFlight: number;
  private readonly timeoutMs: number | undefined;
  private readonly nowUs: () => number;
  private readonly onCallbackError: (error: unknown) => void;
  private running = 0;
  private mirroredCount = 0;
  private droppedCount = 0;
  private failedCount = 0;
  private idleWaiters: (() => void)[] = [];

  /** @throws {RangeError} when `maxInFlight` is not a positive integer or `timeoutMs` not a positive number. */
  constructor(options: ShadowMirrorOptions = {}) {
    const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_SHADOW_IN_FLIGHT;
    if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight is ${maxInFlight}, expected a positive integer`);
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && !(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new RangeError(`timeoutMs is ${timeoutMs}, expected a positive number of milliseconds`);
    this.maxInFlight = maxInFlight;
    this.timeoutMs = timeoutMs;
    this.nowUs = options.nowUs ?? (() => performance.now() * 1000);
    this.onCallbackError = options.onCallbackError ?? (() => undefined);
  }

  /** Copies scheduled or running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Totals since construction. */
  get counters(): ShadowMirrorCounters {
    return { mirrored: this.mirroredCount, dropped: this.droppedCount, failed: this.failedCount };
  }

  /**
   * Schedules `run` on the next turn of the event loop and hands its outcome and latency (µs,
   * measured around `run` only) to `onDone`. Returns at once: `true` when the copy was
   * accepted, `false` when it was dropped because `maxInFlight` copies are in flight.
   */
  mirror<T>(run: () => Promise<T>, onDone: (outcome: MirrorOutcome<T>, latencyUs: number) => void): boolean {
    if (this.running >= this.maxInFlight) {
      this.droppedCount++;
      return false;
    }
    this.running++;
    this.mirroredCount++;
    setImmediate(() => void this.execute(run, onDone));
    return true;
  }

  /** Resolves once no copy is scheduled or running (for tests and shutdown). */
  drain(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async execute<T>(run: () => Promise<T>, onDone: (outcome: MirrorOutcome<T>, latencyUs: number) => void): Promise<void> {
    const started = this.nowUs();
    let outcome: MirrorOutcome<T>;
    try {
      outcome = { ok: true, outputs: await this.withTimeout(run) };
    } catch (error) {
      this.failedCount++;
      outcome = { ok: false, error };
    }
    const latencyUs = Math.max(0, this.nowUs() - started);
    try {
      onDone(outcome, latencyUs);
    } catch (error) {
      this.reportCallbackError(error);
    } finally {
      this.finish();
    }
  }

  private async withTimeout<T>(run: () => Promise<T>): Promise<T> {
    const timeoutMs = this.timeoutMs;
    // `run` is called inside the async function, so a synchronous throw becomes a rejection.
    const running = (async () => run())();
    if (timeoutMs === undefined) return running;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`shadow run still pending after ${timeoutMs} ms`)), timeoutMs);
    });
    // A run that settles after its timeout must not become an unhandled rejection.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private reportCallbackError(error: unknown): void {
    try {
      this.onCallbackError(error);
    } catch {
      // The reporter itself failed; there is nobody left to tell.
    }
  }

  private finish(): void {
    this.running--;
    if (this.running > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

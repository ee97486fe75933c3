import { setTimeout as delay } from 'node:timers/promises';
import { type ModelRegistry } from './model-registry';
import { type ReleaseChange, ReleaseState } from './release-state';

/** What the follower reports. */
export interface ReleaseListener {
  /** Changes to act on, in order (awaited before the next message is applied); also called, maybe with none, after every snapshot. */
  changed(changes: readonly ReleaseChange[], revision: number): Promise<void> | void;
  /** The stream broke; the follower reconnects after `retryInMs`, resuming from `revision`. */
  disconnected(error: unknown, revision: number, retryInMs: number): void;
}

/** Reconnect backoff: doubling from 100 ms, at most 5 s. */
const BACKOFF_MS = { first: 100, max: 5_000 } as const;

/**
 * Follows the registry's WatchReleases for as long as `signal` allows: starts from a snapshot,
 * applies every message to a {@link ReleaseState}, hands the resulting changes to the listener
 * and, when the stream breaks (registry restart, network), reconnects with backoff and
 * resumes from the last applied revision — a re-sent snapshot is diffed, so nothing unchanged
 * is reported twice.
 */
export class ReleaseFollower {
  readonly state = new ReleaseState();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly listener: ReleaseListener,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    let backoff: number = BACKOFF_MS.first;
    while (!signal.aborted) {
      try {
        for await (const message of this.registry.watchReleases(this.state.revision, signal)) {
          backoff = BACKOFF_MS.first;
          const changes = this.state.apply(message);
          if (changes.length > 0 || message.kind === 'snapshot') await this.listener.changed(changes, this.state.revision);
        }
        if (signal.aborted) return;
        throw new Error('the release stream ended');
      } catch (error) {
        if (signal.aborted) return;
        this.listener.disconnected(error, this.state.revision, backoff);
        await delay(backoff, undefined, { signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, BACKOFF_MS.max);
      }
    }
  }
}

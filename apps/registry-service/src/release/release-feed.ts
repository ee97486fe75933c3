import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { LOGGER, SHUTDOWN_SIGNAL } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { ReleaseEvent } from './release-event';
import { type ReleaseEventSource, ReleaseEventRepository } from './release-event.repository';

/** Timing of the release stream. */
export interface ReleaseStreamTiming {
  /** How often the feed polls the table, for commits of other replicas (and of writers that do not wake it). */
  readonly pollIntervalMs: number;
  /** A watcher idle this long gets a heartbeat. */
  readonly heartbeatMs: number;
  /** Recent events kept in memory for live watchers; older ones are read from the table. */
  readonly bufferSize: number;
}

/** Injection token of {@link ReleaseStreamTiming}. */
export const RELEASE_STREAM_TIMING = Symbol('release-stream-timing');

/** Production timing: the proto promises delivery within 1 s of commit and a heartbeat every 15 s. */
export const DEFAULT_RELEASE_STREAM_TIMING: ReleaseStreamTiming = { pollIntervalMs: 250, heartbeatMs: 15_000, bufferSize: 4096 };

const PAGE = 500;

/** Why a wait for new events ended. */
export type FeedWait = 'changed' | 'timeout' | 'aborted' | 'closed';

/**
 * One tail of the release event table per process, fanned out to every watcher. It reads
 * `revision > head` when woken (ReleaseTransaction wakes it right after a local commit) and
 * on a short poll (commits of other replicas). Because release writers commit in revision
 * order (see RELEASE_LOCK_KEY), reading past `head` can never skip an event committed later.
 * Keeps the newest events in memory, covering exactly the revisions in (floor, head].
 */
@Injectable()
export class ReleaseFeed implements OnModuleInit, OnModuleDestroy {
  private head = 0n;
  private floor = 0n;
  private buffer: ReleaseEvent[] = [];
  private readonly waiters = new Set<(outcome: FeedWait) => void>();
  private tailing: Promise<void> | undefined;
  private tailAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    @Inject(ReleaseEventRepository) private readonly source: ReleaseEventSource,
    @Inject(RELEASE_STREAM_TIMING) private readonly timing: ReleaseStreamTiming,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
    @Optional() @Inject(SHUTDOWN_SIGNAL) private readonly shutdown?: AbortSignal,
  ) {}

  async onModuleInit(): Promise<void> {
    this.head = this.floor = await this.source.head();
    // unref: a poll timer must never keep a stopping process alive.
    this.timer = setInterval(() => this.wake(), this.timing.pollIntervalMs).unref();
    // Draining starts: end every watch now (UNAVAILABLE, clients resume elsewhere) instead
    // of holding the shutdown for the whole grace period.
    this.shutdown?.addEventListener('abort', () => void this.onModuleDestroy(), { once: true });
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const waiter of [...this.waiters]) waiter('closed');
    await this.tailing;
  }

  /** True once the service is stopping: watchers end. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The newest revision the feed has read. */
  get headRevision(): bigint {
    return this.head;
  }

  /** Reads new events now (coalesced with a read in progress). */
  wake(): void {
    if (this.closed) return;
    if (this.tailing !== undefined) {
      this.tailAgain = true;
      return;
    }
    this.tailing = this.tail().finally(() => {
      this.tailing = undefined;
      if (this.tailAgain) {
        this.tailAgain = false;
        this.wake();
      }
    });
  }

  /**
   * The buffered events after `cursor` (of `modelId` only, when given) and the revision up to
   * which that answer is complete; undefined when `cursor` is older than the buffer (read the
   * table up to {@link floorRevision} first).
   */
  readAfter(cursor: bigint, modelId?: string): { events: ReleaseEvent[]; upTo: bigint } | undefined {
    if (cursor < this.floor) return undefined;
    const events: ReleaseEvent[] = [];
    for (const event of this.buffer.slice(this.firstAfter(cursor))) {
      if (modelId === undefined || event.modelId === modelId) events.push(event);
    }
    return { events, upTo: this.head > cursor ? this.head : cursor };
  }

  /** Oldest revision the buffer starts after: events up to it must be read from the table. */
  get floorRevision(): bigint {
    return this.floor;
  }

  /** Waits until the feed has read past `revision`, `timeoutMs` passes, `signal` aborts or the feed closes. */
  waitBeyond(revision: bigint, timeoutMs: number, signal: AbortSignal): Promise<FeedWait> {
    if (this.closed) return Promise.resolve('closed');
    if (signal.aborted) return Promise.resolve('aborted');
    if (this.head > revision) return Promise.resolve('changed');
    return new Promise((resolve) => {
      const finish = (outcome: FeedWait): void => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const waiter = (outcome: FeedWait): void => {
        if (outcome !== 'changed' || this.head > revision) finish(outcome);
      };
      const onAbort = (): void => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs).unref();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  private async tail(): Promise<void> {
    try {
      for (;;) {
        const page = await this.source.listAfter(this.head, { limit: PAGE });
        const last = page.at(-1);
        if (this.closed || last === undefined) return;
        this.buffer.push(...page);
        this.head = last.revision;
        this.trim();
        for (const waiter of [...this.waiters]) waiter('changed');
        if (page.length < PAGE) return;
      }
    } catch (error) {
      // The next poll retries; watchers keep waiting (a database outage is not their error).
      if (!this.closed) this.logger.warn({ err: error }, 'release feed could not read release events; retrying');
    }
  }

  private trim(): void {
    const excess = this.buffer.length - this.timing.bufferSize;
    const newestDropped = this.buffer[excess - 1];
    if (excess <= 0 || newestDropped === undefined) return;
    this.floor = newestDropped.revision;
    this.buffer = this.buffer.slice(excess);
  }

  // Index of the first buffered event with revision > cursor (binary search; the buffer is sorted).
  private firstAfter(cursor: bigint): number {
    let low = 0;
    let high = this.buffer.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.buffer[mid]?.revision ?? cursor) <= cursor) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

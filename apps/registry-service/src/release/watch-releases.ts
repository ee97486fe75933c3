import { Inject, Injectable } from '@nestjs/common';
import { UnavailableError } from '@strata/service-runtime';
import { Clock } from './clock';
import { type RegisteredModel, RegisteredModelRepository } from './registered-model.repository';
import type { ReleaseEvent } from './release-event';
import { type ReleaseEventSource, ReleaseEventRepository } from './release-event.repository';
import { ReleaseFeed, RELEASE_STREAM_TIMING, type ReleaseStreamTiming } from './release-feed';
import type { ReleaseSnapshot } from './release-snapshot';
import { ReleaseSnapshotReader } from './release-snapshot.reader';
import { RequestCheck, requireModel } from './request-checks';

/** WatchReleases as the domain sees it. */
export interface WatchInput {
  /** The last revision the client processed; 0 = start with a snapshot. */
  readonly fromRevision: bigint;
  /** Only this model; undefined = all models. */
  readonly modelName?: string;
}

/** One message of the stream. */
export type WatchMessage =
  | { readonly kind: 'snapshot'; readonly snapshot: ReleaseSnapshot; readonly reset: boolean }
  | { readonly kind: 'event'; readonly event: ReleaseEvent }
  | { readonly kind: 'heartbeat'; readonly revision: bigint; readonly time: Date };

/** The snapshot port, for unit tests. */
export type SnapshotSource = Pick<ReleaseSnapshotReader, 'read'>;

const PAGE = 500;

/**
 * WatchReleases: a snapshot (unless from_revision can be resumed), then every event after it
 * in revision order, then live events, with a heartbeat when idle.
 *
 * The watcher keeps one cursor: every event with revision <= cursor has been sent (or did not
 * match the model filter). Events come from the feed's in-memory buffer, or from the table for
 * a watcher older than the buffer, so nothing is skipped and nothing is sent twice; a client
 * that reconnects with the last revision it processed continues exactly where it stopped.
 */
@Injectable()
export class WatchReleases {
  constructor(
    @Inject(RegisteredModelRepository) private readonly models: Pick<RegisteredModelRepository, 'find'>,
    @Inject(ReleaseEventRepository) private readonly events: ReleaseEventSource,
    @Inject(ReleaseSnapshotReader) private readonly snapshots: SnapshotSource,
    private readonly feed: ReleaseFeed,
    @Inject(RELEASE_STREAM_TIMING) private readonly timing: ReleaseStreamTiming,
    private readonly clock: Clock,
  ) {}

  /** The stream; ends when `signal` aborts, fails with UNAVAILABLE when the service stops. */
  async *execute(input: WatchInput, signal: AbortSignal): AsyncGenerator<WatchMessage> {
    new RequestCheck().that(input.fromRevision >= 0n, 'from_revision', 'must not be negative').orThrow('WatchReleases request');
    const model = input.modelName === undefined ? undefined : await requireModel(this.models, input.modelName);
    let cursor = input.fromRevision;
    // Revisions are never pruned, so every from_revision up to the head can be resumed; one
    // ahead of the head (e.g. after a restore from backup) gets a fresh snapshot instead.
    if (cursor === 0n || cursor > (await this.events.head())) {
      const snapshot = await this.snapshots.read(model);
      yield { kind: 'snapshot', snapshot, reset: cursor > 0n };
      cursor = snapshot.revision;
    }
    let lastSentAt = this.clock.now().getTime();
    while (!signal.aborted) {
      if (this.feed.isClosed) throw new UnavailableError('registry-service is shutting down: reconnect with from_revision set to the last revision processed');
      const { events, upTo } = await this.next(cursor, model);
      for (const event of events) {
        if (signal.aborted) return;
        yield { kind: 'event', event };
        cursor = event.revision;
      }
      if (upTo > cursor) cursor = upTo;
      if (events.length > 0) {
        lastSentAt = this.clock.now().getTime();
        continue;
      }
      // A snapshot can be ahead of the feed (it read the table directly): make the feed catch up.
      if (cursor > this.feed.headRevision) this.feed.wake();
      const idleFor = this.clock.now().getTime() - lastSentAt;
      const outcome = await this.feed.waitBeyond(cursor, Math.max(0, this.timing.heartbeatMs - idleFor), signal);
      if (outcome === 'timeout') {
        yield { kind: 'heartbeat', revision: cursor, time: this.clock.now() };
        lastSentAt = this.clock.now().getTime();
      }
    }
  }

  // The next events after the cursor and the revision up to which they are complete.
  private async next(cursor: bigint, model: RegisteredModel | undefined): Promise<{ events: ReleaseEvent[]; upTo: bigint }> {
    const buffered = this.feed.readAfter(cursor, model?.id);
    if (buffered !== undefined) return buffered;
    // Older than the buffer: catch up from the table, up to where the buffer starts.
    const floor = this.feed.floorRevision;
    const events = await this.events.listAfter(cursor, { ...(model === undefined ? {} : { modelId: model.id }), upTo: floor, limit: PAGE });
    const last = events.at(-1);
    return { events, upTo: events.length === PAGE && last !== undefined ? last.revision : floor };
  }
}

import { FakeReleaseEvents } from './release-event.fakes';
import { ReleaseFeed, type ReleaseStreamTiming } from './release-feed';

const TIMING: ReleaseStreamTiming = { pollIntervalMs: 60_000, heartbeatMs: 60_000, bufferSize: 5 };

describe(ReleaseFeed.name, () => {
  let source: FakeReleaseEvents;
  let feed: ReleaseFeed;
  const warnings: unknown[] = [];
  const never = new AbortController().signal;

  beforeEach(async () => {
    source = new FakeReleaseEvents();
    source.commit(3);
    warnings.length = 0;
    feed = new ReleaseFeed(source, TIMING, { warn: (...args: unknown[]) => warnings.push(args) } as never);
    await feed.onModuleInit();
  });

  afterEach(async () => {
    await feed.onModuleDestroy();
  });

  it('starts at the table\'s head with an empty buffer, and reads new commits when woken', async () => {
    expect([feed.headRevision, feed.floorRevision]).toEqual([3n, 3n]);
    expect(feed.readAfter(3n)).toEqual({ events: [], upTo: 3n });
    expect(feed.readAfter(2n)).toBeUndefined();

    source.commit(2);
    feed.wake();

    expect(await feed.waitBeyond(3n, 60_000, never)).toBe('changed');
    expect(feed.readAfter(3n)!.events.map((e) => e.revision)).toEqual([4n, 5n]);
    expect(feed.readAfter(4n)).toEqual({ events: [source.rows[4]], upTo: 5n });
  });

  it('filters buffered events by model, still reporting how far the answer is complete', async () => {
    source.commit(1, 'model-a');
    source.commit(1, 'model-b');
    feed.wake();
    await feed.waitBeyond(4n, 60_000, never);

    expect(feed.readAfter(3n, 'model-b')).toEqual({ events: [source.rows[4]], upTo: 5n });
  });

  it('keeps only the newest events, moving the floor: older cursors must read the table', async () => {
    source.commit(7);
    feed.wake();
    await feed.waitBeyond(9n, 60_000, never);

    expect([feed.headRevision, feed.floorRevision]).toEqual([10n, 5n]);
    expect(feed.readAfter(4n)).toBeUndefined();
    expect(feed.readAfter(5n)!.events.map((e) => e.revision)).toEqual([6n, 7n, 8n, 9n, 10n]);
  });

  it('ends a wait on timeout, on abort and when the feed closes', async () => {
    const abort = new AbortController();
    const aborted = feed.waitBeyond(3n, 60_000, abort.signal);
    abort.abort();
    const closing = feed.waitBeyond(3n, 60_000, never);

    expect(await feed.waitBeyond(3n, 1, never)).toBe('timeout');
    expect(await aborted).toBe('aborted');
    await feed.onModuleDestroy();
    expect(await closing).toBe('closed');
    expect(await feed.waitBeyond(3n, 60_000, never)).toBe('closed');
    expect(feed.isClosed).toBe(true);
  });

  it('coalesces wakes during a read into one more read, and survives a failing read', async () => {
    source.failNextRead = new Error('database gone');
    feed.wake();
    feed.wake();
    feed.wake();
    source.commit(1);
    expect(await feed.waitBeyond(3n, 60_000, never)).toBe('changed');

    expect(warnings).toHaveLength(1);
    expect(source.reads).toBe(2);
    expect(feed.headRevision).toBe(4n);
  });
});

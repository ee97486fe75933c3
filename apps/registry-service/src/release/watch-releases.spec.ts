import { status } from '@grpc/grpc-js';
import { DEFAULT_TRAFFIC_POLICY } from '../traffic-policy/traffic-policy';
import { SystemClock } from './clock';
import type { RegisteredModel } from './registered-model.repository';
import { FakeReleaseEvents } from './release-event.fakes';
import { ReleaseFeed, type ReleaseStreamTiming } from './release-feed';
import type { ReleaseSnapshot } from './release-snapshot';
import { type WatchMessage, WatchReleases } from './watch-releases';

const MODELS: RegisteredModel[] = [
  { id: 'model-a', name: 'model-a' },
  { id: 'model-b', name: 'model-b' },
];

describe(WatchReleases.name, () => {
  let source: FakeReleaseEvents;
  let feed: ReleaseFeed;
  let watch: WatchReleases;
  let abort: AbortController;
  const snapshotReads: (RegisteredModel | undefined)[] = [];

  const start = async (timing: Partial<ReleaseStreamTiming> = {}) => {
    const fullTiming: ReleaseStreamTiming = { pollIntervalMs: 60_000, heartbeatMs: 60_000, bufferSize: 100, ...timing };
    feed = new ReleaseFeed(source, fullTiming, { warn: () => undefined } as never);
    await feed.onModuleInit();
    const snapshots = {
      read: async (model?: RegisteredModel): Promise<ReleaseSnapshot> => {
        snapshotReads.push(model);
        return { revision: await source.head(), models: [{ modelName: 'model-a', aliases: [], trafficPolicy: DEFAULT_TRAFFIC_POLICY, versionStatuses: new Map() }] };
      },
    };
    const models = { find: async (name: string) => MODELS.find((m) => m.name === name) };
    watch = new WatchReleases(models, source, snapshots, feed, fullTiming, new SystemClock());
  };

  // Pulls messages until `count` arrived (each pull resolves on a real event: a commit, a wake, a heartbeat).
  const take = async (stream: AsyncGenerator<WatchMessage>, count: number): Promise<WatchMessage[]> => {
    const messages: WatchMessage[] = [];
    while (messages.length < count) {
      const next = await stream.next();
      if (next.done === true) break;
      messages.push(next.value);
    }
    return messages;
  };
  const revisions = (messages: WatchMessage[]) => messages.map((m) => (m.kind === 'event' ? m.event.revision : m.kind));

  beforeEach(() => {
    source = new FakeReleaseEvents();
    abort = new AbortController();
    snapshotReads.length = 0;
  });

  afterEach(async () => {
    abort.abort();
    await feed?.onModuleDestroy();
  });

  it('starts with a snapshot at the head, then sends live events in order', async () => {
    source.commit(2);
    await start();
    const stream = watch.execute({ fromRevision: 0n }, abort.signal);

    const [first] = await take(stream, 1);
    source.commit(3);
    feed.wake();

    expect(first).toMatchObject({ kind: 'snapshot', reset: false, snapshot: { revision: 2n } });
    expect(revisions(await take(stream, 3))).toEqual([3n, 4n, 5n]);
  });

  it('resumes after from_revision without a snapshot, reading what the buffer does not hold from the table', async () => {
    source.commit(3);
    await start({ bufferSize: 2 });
    source.commit(5);
    feed.wake();
    const stream = watch.execute({ fromRevision: 1n }, abort.signal);

    expect(revisions(await take(stream, 7))).toEqual([2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(snapshotReads).toEqual([]);
  });

  it('sends a reset snapshot for a revision ahead of the table', async () => {
    source.commit(2);
    await start();

    const [first] = await take(watch.execute({ fromRevision: 10n }, abort.signal), 1);

    expect(first).toMatchObject({ kind: 'snapshot', reset: true, snapshot: { revision: 2n } });
  });

  it('sends only the requested model\'s events, and a snapshot of that model', async () => {
    await start();
    const stream = watch.execute({ fromRevision: 0n, modelName: 'model-b' }, abort.signal);
    await take(stream, 1);
    source.commit(2, 'model-a');
    source.commit(1, 'model-b');
    feed.wake();

    const [event] = await take(stream, 1);

    expect(snapshotReads).toEqual([MODELS[1]]);
    expect(event).toMatchObject({ kind: 'event', event: { revision: 3n, modelId: 'model-b' } });
  });

  it('sends a heartbeat with its position when idle', async () => {
    source.commit(4);
    await start({ heartbeatMs: 5 });

    const messages = await take(watch.execute({ fromRevision: 4n }, abort.signal), 1);

    expect(messages).toEqual([{ kind: 'heartbeat', revision: 4n, time: expect.any(Date) }]);
  });

  it('ends when aborted, and fails with UNAVAILABLE when the service stops', async () => {
    await start();
    const aborted = watch.execute({ fromRevision: 0n }, abort.signal);
    await take(aborted, 1);
    const pending = aborted.next();
    abort.abort();
    expect(await pending).toEqual({ done: true, value: undefined });

    const other = watch.execute({ fromRevision: 0n }, new AbortController().signal);
    await take(other, 1);
    const cut = other.next();
    await feed.onModuleDestroy();
    await expect(cut).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  it('refuses a negative revision and an unknown model', async () => {
    await start();

    await expect(watch.execute({ fromRevision: -1n }, abort.signal).next()).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(watch.execute({ fromRevision: 0n, modelName: 'nope' }, abort.signal).next()).rejects.toMatchObject({ code: status.NOT_FOUND });
  });
});

import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { TestEngine } from '@strata/testing';
import { aLinearOnnxModel } from '../fixtures/onnx-models';
import { type RestartableRegistry, startRestartableRegistry } from '../release-fixtures/restartable-registry';
import { SeededRandom } from '../release-fixtures/seeded-random';
import type { Watcher } from '../release-fixtures/release-client';

const TOTAL_EVENTS = 500;
const ALIASES = ['a0', 'a1', 'a2', 'a3'];
const VERSIONS = [1, 2, 3];

// WatchReleases resume: 500 release events made through real RPCs by four concurrent
// writers, while a watcher is cancelled by its client mid-way and later cut by a server
// restart, reconnecting each time with the last revision it processed. The union of what it
// received must be every revision, in order, exactly once.
describe.each<TestEngine>(['pglite', 'postgres'])('WatchReleases resume on %s', (engine) => {
  let registry: RestartableRegistry;

  beforeAll(async () => {
    registry = await startRestartableRegistry(engine);
    await registry.ci.createModel({ name: 'stream' });
    for (const version of VERSIONS) await registry.ci.registerVersion('stream', aLinearOnnxModel(900 + version));
  });

  afterAll(async () => {
    await registry?.stop();
  });

  // Writer `index` owns alias a<index>: it moves it to another version (an event every time) or
  // replaces the model's traffic policy, chosen by a seeded generator.
  const writer = (index: number) => {
    const random = new SeededRandom(1000 + index);
    let current = 1;
    return async (operations: number): Promise<void> => {
      for (let i = 0; i < operations; i++) {
        if (random.next() < 0.85) {
          current = random.pick(VERSIONS.filter((v) => v !== current));
          await registry.release.setAlias({ modelName: 'stream', alias: ALIASES[index], version: current, reason: `writer ${index} op ${i}` });
        } else {
          const first = random.below(101);
          const [a, b] = [random.pick(ALIASES), random.pick(ALIASES)];
          const splits = a === b ? [{ alias: a, percent: 100 }] : [{ alias: a, percent: first }, { alias: b, percent: 100 - first }];
          await registry.release.setTrafficPolicy('stream', { splits }, `writer ${index} op ${i}`);
        }
      }
    };
  };
  const writeConcurrently = (writers: ((n: number) => Promise<void>)[], each: number) => Promise.all(writers.map((write) => write(each)));
  const headRevision = async () => (await registry.prisma().releaseEvent.aggregate({ _max: { revision: true } }))._max.revision ?? 0n;

  it('delivers every one of 500 revisions exactly once, in order, across a client cancel and a server restart', async () => {
    const writers = ALIASES.map((_, index) => writer(index));
    // 4 alias creations + 4 x 62 + 4 x 62 operations = 500 events.
    const [phase1Operations, phase2Operations] = [62, 62];

    // W1 starts from nothing (a snapshot at revision 0), then the aliases are created.
    const first = registry.release.watch({ fromRevision: '0' });
    await first.until((w) => w.messages.length >= 1);
    for (const alias of ALIASES) await registry.release.setAlias({ modelName: 'stream', alias, version: 1, reason: 'create' });

    // Phase 1, while writing: W1 cancels itself after 100 events; W2 resumes from its last revision.
    const phase1 = writeConcurrently(writers, phase1Operations);
    await first.until((w) => w.events().length >= 100);
    first.cancel();
    expect((await first.ended).code).toBe(status.CANCELLED);
    const second = registry.release.watch({ fromRevision: first.lastRevision() });
    await phase1;
    await second.untilRevision(await headRevision());

    // The server restarts under W2 (on the same data); W3 resumes from W2's last revision while phase 2 writes.
    await registry.restart();
    expect([status.UNAVAILABLE, status.CANCELLED]).toContain((await second.ended).code);
    const third = registry.release.watch({ fromRevision: second.lastRevision() });
    await writeConcurrently(writers, phase2Operations);
    const head = await headRevision();
    await third.untilRevision(head);
    third.cancel();
    // A watcher far behind the restarted server's in-memory buffer catches up from the table.
    const late = registry.release.watch({ fromRevision: '1' });
    await late.untilRevision(head);
    late.cancel();

    const watchers: Watcher[] = [first, second, third];
    const received = watchers.flatMap((w) => w.events());
    expect(head).toBe(BigInt(TOTAL_EVENTS));
    expect(received.map((e) => Number(e.revision))).toEqual(Array.from({ length: TOTAL_EVENTS }, (_, i) => i + 1));
    expect(watchers.map((w) => w.snapshots().length)).toEqual([1, 0, 0]);
    expect(first.snapshots()[0]).toMatchObject({ revision: '0', reset: false, models: [] });
    expect(late.events().map((e) => e.revision)).toEqual(received.slice(1).map((e) => e.revision));
    // What was delivered is what was committed.
    const stored = await registry.prisma().releaseEvent.findMany({ orderBy: { revision: 'asc' } });
    expect(received.map(summary)).toEqual(stored.map((row) => summaryOfRow(row.revision, row.kind, row.payload as { alias?: string; version?: number; reason: string })));
  }, 240_000);
});

function summary(event: registryV1.ReleaseEvent): string {
  const kind = event.kind === 'RELEASE_EVENT_KIND_ALIAS_MOVED' ? 'alias_moved' : 'traffic_policy_changed';
  return `${event.revision} ${kind} ${event.alias}:${event.version} ${event.reason}`;
}

function summaryOfRow(revision: bigint, kind: string, payload: { alias?: string; version?: number; reason: string }): string {
  return `${revision} ${kind} ${payload.alias ?? ''}:${payload.version ?? 0} ${payload.reason}`;
}

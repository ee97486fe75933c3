import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { TestEngine } from '@strata/testing';
import { failureOf } from '../fixtures/registry-client';
import { moveAlias, type ReleaseRegistry, startReleaseRegistry } from '../release-fixtures/release-registry';

// WatchReleases over a real gRPC socket, on PGlite and on PostgreSQL: snapshot, live events,
// filters, resume and shutdown. (Resume across 1,000 events is in watch-resume.spec.ts.)
describe.each<TestEngine>(['pglite', 'postgres'])('WatchReleases on %s', (engine) => {
  let registry: ReleaseRegistry;

  beforeAll(async () => {
    registry = await startReleaseRegistry(engine);
    await registry.aModelWithVersions('watched', [{}, {}, {}]);
    await registry.aModelWithVersions('quiet', [{}]);
    await moveAlias(registry, 'watched', 'production', 1);
    await registry.release.ci.setTrafficPolicy('watched', { splits: [{ alias: 'production', percent: 100 }] });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  const headRevision = async (): Promise<string> => String((await registry.prisma.releaseEvent.aggregate({ _max: { revision: true } }))._max.revision ?? 0n);

  it('starts with a snapshot of every model with an alias, then streams each change as it commits', async () => {
    const head = await headRevision();
    const watcher = registry.release.anonymous.watch();
    await watcher.until((w) => w.messages.length >= 1);

    const moved = await registry.release.ci.setAlias({ modelName: 'watched', alias: 'canary', version: 2, reason: 'canary v2' });
    const traffic = await registry.release.ci.setTrafficPolicy('watched', { splits: [{ alias: 'production', percent: 95 }, { alias: 'canary', percent: 5 }] });
    const status3 = await registry.admin.setVersionStatus({ modelName: 'watched', version: 3, status: 'VERSION_STATUS_DEPRECATED' as registryV1.VersionStatus, reason: 'old' });
    await watcher.untilRevision(status3.revision);
    watcher.cancel();

    const [snapshot] = watcher.snapshots();
    expect(watcher.messages[0]!.snapshot).toBe(snapshot);
    expect(snapshot).toMatchObject({ revision: head, reset: false });
    expect(snapshot!.models.map((m) => m.modelName)).toEqual(['watched']);
    expect(snapshot!.models[0]).toMatchObject({
      aliases: [expect.objectContaining({ alias: 'production', version: 1 })],
      trafficPolicy: { splits: [{ alias: 'production', percent: 100 }], shadowAlias: '', shadowPercent: 0 },
      versionStatuses: { 1: 'VERSION_STATUS_ACTIVE' },
    });
    expect(watcher.events()).toEqual([
      expect.objectContaining({ revision: moved.alias!.revision, kind: 'RELEASE_EVENT_KIND_ALIAS_MOVED', modelName: 'watched', alias: 'canary', version: 2, previousVersion: 0, artifactSha256: moved.alias!.artifactSha256, actor: 'ci-bot', reason: 'canary v2' }),
      expect.objectContaining({ revision: traffic.revision, kind: 'RELEASE_EVENT_KIND_TRAFFIC_POLICY_CHANGED', trafficPolicy: traffic.policy }),
      expect.objectContaining({ revision: status3.revision, kind: 'RELEASE_EVENT_KIND_VERSION_STATUS_CHANGED', version: 3, versionStatus: 'VERSION_STATUS_DEPRECATED', actor: 'release-admin' }),
    ]);
    expect((await watcher.ended).code).toBe(status.CANCELLED);
  });

  it('sends only the requested model, with a snapshot of it even without aliases', async () => {
    const watcher = registry.release.anonymous.watch({ modelName: 'quiet' });
    await watcher.until((w) => w.messages.length >= 1);
    await moveAlias(registry, 'watched', 'staging', 1);
    const quiet = await moveAlias(registry, 'quiet', 'staging', 1);
    await watcher.untilRevision(quiet.revision);
    watcher.cancel();

    expect(watcher.snapshots()[0]!.models).toEqual([{ modelName: 'quiet', aliases: [], trafficPolicy: expect.objectContaining({ splits: [{ alias: 'production', percent: 100 }] }), versionStatuses: {} }]);
    expect(watcher.events().map((e) => [e.modelName, e.alias, e.revision])).toEqual([['quiet', 'staging', quiet.revision]]);
  });

  it('resumes after from_revision without a snapshot, and sends a reset snapshot for a revision ahead of the server', async () => {
    const from = await headRevision();
    const next = await moveAlias(registry, 'watched', 'staging', 2);
    const resumed = registry.release.anonymous.watch({ fromRevision: from });
    const ahead = registry.release.anonymous.watch({ fromRevision: String(BigInt(next.revision) + 1000n) });
    await resumed.untilRevision(next.revision);
    await ahead.until((w) => w.messages.length >= 1);
    resumed.cancel();
    ahead.cancel();

    expect(resumed.snapshots()).toEqual([]);
    expect(resumed.events().map((e) => e.revision)).toEqual([next.revision]);
    expect(ahead.messages[0]!.snapshot).toMatchObject({ revision: next.revision, reset: true });
  });

  it('fails with NOT_FOUND for an unknown model and INVALID_ARGUMENT for a negative revision', async () => {
    const unknown = registry.release.anonymous.watch({ modelName: 'no-such-model' });
    const negative = registry.release.anonymous.watch({ fromRevision: '-5' });

    expect((await unknown.ended).code).toBe(status.NOT_FOUND);
    expect((await negative.ended).code).toBe(status.INVALID_ARGUMENT);
    expect((await failureOf(registry.release.anonymous.getAlias('no-such-model', 'production'))).code).toBe(status.NOT_FOUND);
  });

  it('ends open streams when the service stops, and the stop completes', async () => {
    const own = await startReleaseRegistry(engine);
    const watchers = [own.release.anonymous.watch(), own.release.anonymous.watch({ fromRevision: '0' })];
    await Promise.all(watchers.map((w) => w.until((x) => x.messages.length >= 1)));

    await own.stop();

    for (const watcher of watchers) expect([status.UNAVAILABLE, status.CANCELLED]).toContain((await watcher.ended).code);
  });
});

import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { TestEngine } from '@strata/testing';
import { failureOf } from '../fixtures/registry-client';
import { moveAlias, type ReleaseRegistry, startReleaseRegistry } from '../release-fixtures/release-registry';

// SetAlias (compare-and-set), GetAlias, ListAliases and RollbackAlias over a real gRPC socket,
// on PGlite and on PostgreSQL.
describe.each<TestEngine>(['pglite', 'postgres'])('aliases on %s', (engine) => {
  let registry: ReleaseRegistry;

  beforeAll(async () => {
    registry = await startReleaseRegistry(engine);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  const releaseState = async (modelName: string) => {
    const model = await registry.prisma.model.findUniqueOrThrow({ where: { name: modelName } });
    return {
      aliases: await registry.prisma.alias.findMany({ where: { modelId: model.id }, orderBy: { name: 'asc' } }),
      history: await registry.prisma.aliasHistory.findMany({ where: { modelId: model.id }, orderBy: { revision: 'asc' } }),
      events: await registry.prisma.releaseEvent.findMany({ where: { modelId: model.id }, orderBy: { revision: 'asc' } }),
    };
  };

  it('creates an alias with expected 0, moves it with the right expectation, and records history, release events and audit entries', async () => {
    await registry.aModelWithVersions('fraud', [{}, {}, {}]);

    const created = await registry.release.ci.setAlias({ modelName: 'fraud', alias: 'production', version: 1, expectedCurrentVersion: 0, reason: 'first release' });
    const moved = await registry.release.ci.setAlias({ modelName: 'fraud', alias: 'production', version: 2, expectedCurrentVersion: 1, reason: 'better model' });

    expect(created.alias).toMatchObject({ modelName: 'fraud', alias: 'production', version: 1, previousVersion: 0, updatedBy: 'ci-bot', reason: 'first release' });
    expect(created.gate).toEqual({ passed: true, checks: [], overridden: false });
    expect(moved.alias).toMatchObject({ version: 2, previousVersion: 1, reason: 'better model' });
    expect(BigInt(moved.alias!.revision)).toBeGreaterThan(BigInt(created.alias!.revision));
    expect(moved.alias!.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await registry.release.anonymous.getAlias('fraud', 'production')).alias).toEqual(moved.alias);

    const state = await releaseState('fraud');
    expect(state.history.map((h) => [h.fromVersion, h.toVersion, h.revision.toString(), h.rollback])).toEqual([
      [null, 1, created.alias!.revision, false],
      [1, 2, moved.alias!.revision, false],
    ]);
    expect(state.events.map((e) => [e.kind, e.revision.toString()])).toEqual([
      ['alias_moved', created.alias!.revision],
      ['alias_moved', moved.alias!.revision],
    ]);
    const audit = await registry.release.anonymous.getAuditLog({ modelName: 'fraud', action: 'AUDIT_ACTION_ALIAS_SET' as registryV1.AuditAction });
    expect(audit.entries.map((e) => [e.version, e.revision, e.actor])).toEqual([
      [2, moved.alias!.revision, 'ci-bot'],
      [1, created.alias!.revision, 'ci-bot'],
    ]);
    expect(JSON.parse(audit.entries[0]!.beforeJson)).toMatchObject({ version: 1 });
    expect(JSON.parse(audit.entries[0]!.afterJson)).toMatchObject({ version: 2, previousVersion: 1 });
  });

  it('refuses a stale expected_current_version with ABORTED and changes nothing', async () => {
    await registry.aModelWithVersions('stale', [{}, {}]);
    await moveAlias(registry, 'stale', 'production', 1);
    const before = await releaseState('stale');

    const wrongVersion = await failureOf(registry.release.ci.setAlias({ modelName: 'stale', alias: 'production', version: 2, expectedCurrentVersion: 2 }));
    const mustNotExist = await failureOf(registry.release.ci.setAlias({ modelName: 'stale', alias: 'production', version: 2, expectedCurrentVersion: 0 }));
    const missingAlias = await failureOf(registry.release.ci.setAlias({ modelName: 'stale', alias: 'canary', version: 2, expectedCurrentVersion: 1 }));

    expect([wrongVersion.code, mustNotExist.code, missingAlias.code]).toEqual([status.ABORTED, status.ABORTED, status.ABORTED]);
    expect(wrongVersion.details).toContain('points at version 1');
    expect(await releaseState('stale')).toEqual(before);
  });

  it('lets exactly one of 20 concurrent SetAlias calls with the same expected version win; the other 19 are ABORTED', async () => {
    await registry.aModelWithVersions('race', [{}, {}, {}]);
    await moveAlias(registry, 'race', 'production', 1);
    const before = await releaseState('race');

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => registry.release.ci.setAlias({ modelName: 'race', alias: 'production', version: 2 + (i % 2), expectedCurrentVersion: 1, reason: `racer ${i}` })),
    );

    const winners = outcomes.filter((o): o is PromiseFulfilledResult<registryV1.SetAliasResponse> => o.status === 'fulfilled');
    const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.map((o) => (o.reason as { code: number }).code)).toEqual(Array(19).fill(status.ABORTED));
    const winner = winners[0]!.value.alias!;
    const after = await releaseState('race');
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.events).toHaveLength(before.events.length + 1);
    const [newMove, newEvent] = [after.history.at(-1)!, after.events.at(-1)!];
    expect([newMove.fromVersion, newMove.toVersion, newMove.reason]).toEqual([1, winner.version, winner.reason]);
    expect(newMove.revision).toBe(newEvent.revision);
    expect(after.aliases).toEqual([expect.objectContaining({ name: 'production', version: winner.version, previousVersion: 1, revision: newEvent.revision })]);
    expect(newEvent.revision.toString()).toBe(winner.revision);
  });

  it('moves an alias without a check when expected_current_version is unset, and does nothing when it already points at the version', async () => {
    await registry.aModelWithVersions('unconditional', [{}, {}]);
    const first = await registry.release.ci.setAlias({ modelName: 'unconditional', alias: 'staging', version: 1 });
    const second = await registry.release.ci.setAlias({ modelName: 'unconditional', alias: 'staging', version: 2 });
    const events = (await releaseState('unconditional')).events.length;

    const same = await registry.release.ci.setAlias({ modelName: 'unconditional', alias: 'staging', version: 2, expectedCurrentVersion: 2 });

    expect([first.alias!.version, second.alias!.version]).toEqual([1, 2]);
    expect(same.alias).toEqual(second.alias);
    expect((await releaseState('unconditional')).events).toHaveLength(events);
  });

  it('refuses a version that is not ACTIVE, unknown models and versions, and malformed requests', async () => {
    await registry.aModelWithVersions('refusals', [{}, {}]);
    await registry.admin.setVersionStatus({ modelName: 'refusals', version: 2, status: 'VERSION_STATUS_DEPRECATED' as registryV1.VersionStatus, reason: 'superseded' });

    const deprecated = await failureOf(registry.release.ci.setAlias({ modelName: 'refusals', alias: 'production', version: 2 }));
    const noModel = await failureOf(registry.release.ci.setAlias({ modelName: 'nope', alias: 'production', version: 1 }));
    const noVersion = await failureOf(registry.release.ci.setAlias({ modelName: 'refusals', alias: 'production', version: 9 }));
    const malformed = await failureOf(registry.release.ci.setAlias({ modelName: 'refusals', alias: 'Prod!', version: 0, reason: '' }));
    const reserved = await failureOf(registry.release.ci.setAlias({ modelName: 'refusals', alias: 'latest', version: 1 }));

    expect(deprecated.code).toBe(status.FAILED_PRECONDITION);
    expect(deprecated.preconditionViolations).toEqual([{ type: 'VERSION_STATUS', subject: 'refusals:2', description: expect.stringContaining('DEPRECATED') }]);
    expect([noModel.code, noVersion.code]).toEqual([status.NOT_FOUND, status.NOT_FOUND]);
    expect(malformed.code).toBe(status.INVALID_ARGUMENT);
    expect(malformed.fieldViolations.map((v) => v.field).sort()).toEqual(['alias', 'reason', 'version']);
    expect(reserved.fieldViolations).toEqual([{ field: 'alias', description: '"latest" is reserved' }]);
    expect(await registry.prisma.alias.count({ where: { name: 'production', modelVersion: { model: { name: 'refusals' } } } })).toBe(0);
  });

  it('lists a model\'s aliases by name and answers NOT_FOUND for an unknown alias or model', async () => {
    await registry.aModelWithVersions('listing', [{}, {}]);
    await moveAlias(registry, 'listing', 'staging', 2);
    await moveAlias(registry, 'listing', 'canary', 1);

    const { aliases } = await registry.release.anonymous.listAliases('listing');

    expect(aliases.map((a) => [a.alias, a.version])).toEqual([
      ['canary', 1],
      ['staging', 2],
    ]);
    expect((await failureOf(registry.release.anonymous.getAlias('listing', 'production'))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(registry.release.anonymous.listAliases('no-model'))).code).toBe(status.NOT_FOUND);
  });

  it('rolls an alias back to the version before its last move; a second rollback undoes the first', async () => {
    await registry.aModelWithVersions('rollback', [{}, {}, {}]);
    for (const version of [1, 2, 3]) await moveAlias(registry, 'rollback', 'production', version);

    const first = await registry.release.ci.rollbackAlias({ modelName: 'rollback', alias: 'production', expectedCurrentVersion: 3, reason: 'v3 misbehaves' });
    const second = await registry.release.ci.rollbackAlias({ modelName: 'rollback', alias: 'production', reason: 'it was the traffic' });

    expect(first.alias).toMatchObject({ version: 2, previousVersion: 3, reason: 'v3 misbehaves' });
    expect(second.alias).toMatchObject({ version: 3, previousVersion: 2 });
    const state = await releaseState('rollback');
    expect(state.history.slice(-2).map((h) => [h.fromVersion, h.toVersion, h.rollback])).toEqual([
      [3, 2, true],
      [2, 3, true],
    ]);
    expect(state.events.at(-1)!.payload).toMatchObject({ alias: 'production', version: 3, previousVersion: 2, reason: 'it was the traffic' });
    const audit = await registry.release.anonymous.getAuditLog({ modelName: 'rollback', action: 'AUDIT_ACTION_ALIAS_ROLLED_BACK' as registryV1.AuditAction });
    expect(audit.entries.map((e) => [e.version, e.revision])).toEqual([
      [3, second.alias!.revision],
      [2, first.alias!.revision],
    ]);
  });

  it('refuses a rollback without a previous version, onto an ARCHIVED version, or with a stale expectation', async () => {
    await registry.aModelWithVersions('no-rollback', [{}, {}]);
    await moveAlias(registry, 'no-rollback', 'production', 1);
    const noPrevious = await failureOf(registry.release.ci.rollbackAlias({ modelName: 'no-rollback', alias: 'production' }));
    await moveAlias(registry, 'no-rollback', 'production', 2);
    await registry.admin.setVersionStatus({ modelName: 'no-rollback', version: 1, status: 'VERSION_STATUS_ARCHIVED' as registryV1.VersionStatus, reason: 'retired' });
    const before = await releaseState('no-rollback');

    const archived = await failureOf(registry.release.ci.rollbackAlias({ modelName: 'no-rollback', alias: 'production' }));
    const stale = await failureOf(registry.release.ci.rollbackAlias({ modelName: 'no-rollback', alias: 'production', expectedCurrentVersion: 1 }));
    const noAlias = await failureOf(registry.release.ci.rollbackAlias({ modelName: 'no-rollback', alias: 'canary' }));

    expect(noPrevious.code).toBe(status.FAILED_PRECONDITION);
    expect(noPrevious.preconditionViolations).toEqual([expect.objectContaining({ type: 'ROLLBACK_TARGET', subject: 'production' })]);
    expect(archived.code).toBe(status.FAILED_PRECONDITION);
    expect(archived.preconditionViolations).toEqual([expect.objectContaining({ type: 'VERSION_STATUS', description: expect.stringContaining('ARCHIVED') })]);
    expect([stale.code, noAlias.code]).toEqual([status.ABORTED, status.NOT_FOUND]);
    expect(await releaseState('no-rollback')).toEqual(before);
  });
});

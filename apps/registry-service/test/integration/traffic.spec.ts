import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { TestEngine } from '@strata/testing';
import { failureOf } from '../fixtures/registry-client';
import { moveAlias, type ReleaseRegistry, startReleaseRegistry } from '../release-fixtures/release-registry';

// SetTrafficPolicy and GetTrafficPolicy over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each<TestEngine>(['pglite', 'postgres'])('traffic policies on %s', (engine) => {
  let registry: ReleaseRegistry;

  beforeAll(async () => {
    registry = await startReleaseRegistry(engine);
    await registry.aModelWithVersions('ranker', [{}, {}, {}]);
    await moveAlias(registry, 'ranker', 'production', 1);
    await moveAlias(registry, 'ranker', 'canary', 2);
    await moveAlias(registry, 'ranker', 'shadow', 3);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  const split = (alias: string, percent: number): registryV1.TrafficSplit => ({ alias, percent });

  it('returns the default policy (100% production) for a model without one', async () => {
    await registry.aModelWithVersions('no-policy', []);

    expect(await registry.release.anonymous.getTrafficPolicy('no-policy')).toEqual({ policy: { splits: [split('production', 100)], shadowAlias: '', shadowPercent: 0 }, isDefault: true });
    expect((await failureOf(registry.release.anonymous.getTrafficPolicy('unknown-model'))).code).toBe(status.NOT_FOUND);
  });

  it('stores a canary split with a shadow alias, in the given order, as one release event and one audit entry', async () => {
    const policy = { splits: [split('production', 90), split('canary', 10)], shadowAlias: 'shadow', shadowPercent: 25 };

    const stored = await registry.release.ci.setTrafficPolicy('ranker', policy, 'canary 10%');

    expect(stored.policy).toEqual(policy);
    expect(await registry.release.anonymous.getTrafficPolicy('ranker')).toEqual({ policy, isDefault: false });
    const event = await registry.prisma.releaseEvent.findUniqueOrThrow({ where: { revision: BigInt(stored.revision) } });
    expect(event).toMatchObject({ kind: 'traffic_policy_changed', payload: { actor: 'ci-bot', reason: 'canary 10%', trafficPolicy: policy } });
    const audit = await registry.release.anonymous.getAuditLog({ modelName: 'ranker', action: 'AUDIT_ACTION_TRAFFIC_POLICY_SET' as registryV1.AuditAction });
    expect(audit.entries).toEqual([expect.objectContaining({ revision: stored.revision, beforeJson: '', reason: 'canary 10%' })]);
    expect(JSON.parse(audit.entries[0]!.afterJson)).toEqual({ shadowAlias: 'shadow', shadowPercent: 25, splits: [split('production', 90), split('canary', 10)] });
  });

  it('replaces the policy as a whole; the shadow goes away when not given', async () => {
    const stored = await registry.release.ci.setTrafficPolicy('ranker', { splits: [split('canary', 50), split('production', 50)], shadowAlias: '', shadowPercent: 40 });

    expect((await registry.release.anonymous.getTrafficPolicy('ranker')).policy).toEqual({ splits: [split('canary', 50), split('production', 50)], shadowAlias: '', shadowPercent: 0 });
    expect(stored.policy!.shadowPercent).toBe(0);
  });

  it('refuses bad splits with INVALID_ARGUMENT naming every bad field, and changes nothing', async () => {
    const before = await registry.release.anonymous.getTrafficPolicy('ranker');
    const events = await registry.prisma.releaseEvent.count();

    const sum = await failureOf(registry.release.ci.setTrafficPolicy('ranker', { splits: [split('production', 90), split('canary', 5)] }));
    const duplicate = await failureOf(registry.release.ci.setTrafficPolicy('ranker', { splits: [split('production', 50), split('production', 50)] }));
    const range = await failureOf(registry.release.ci.setTrafficPolicy('ranker', { splits: [split('production', 150), split('canary', -50)] }));
    const shadow = await failureOf(registry.release.ci.setTrafficPolicy('ranker', { splits: [split('production', 100)], shadowAlias: 'production', shadowPercent: 0 }));
    const empty = await failureOf(registry.release.ci.setTrafficPolicy('ranker', { splits: [] }, ''));
    const missing = await failureOf(registry.release.ci.setTrafficPolicy('ranker', null));

    expect(sum.fieldViolations).toEqual([{ field: 'policy.splits', description: 'percentages sum to 95, not 100' }]);
    expect(duplicate.fieldViolations).toEqual([{ field: 'policy.splits[1].alias', description: 'alias "production" listed twice' }]);
    expect(range.fieldViolations.map((v) => v.field)).toEqual(['policy.splits[0].percent', 'policy.splits[1].percent']);
    expect(shadow.fieldViolations.map((v) => v.field)).toEqual(['policy.shadow_alias', 'policy.shadow_percent']);
    expect(empty.fieldViolations.map((v) => v.field)).toEqual(['reason', 'policy.splits']);
    expect(missing.fieldViolations).toEqual([{ field: 'policy', description: 'required' }]);
    for (const failure of [sum, duplicate, range, shadow, empty, missing]) expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(await registry.release.anonymous.getTrafficPolicy('ranker')).toEqual(before);
    expect(await registry.prisma.releaseEvent.count()).toBe(events);
  });

  it('refuses a policy naming aliases that do not exist with FAILED_PRECONDITION, one violation each', async () => {
    const failure = await failureOf(registry.release.ci.setTrafficPolicy('ranker', { splits: [split('production', 80), split('blue', 20)], shadowAlias: 'green', shadowPercent: 5 }));

    expect(failure.code).toBe(status.FAILED_PRECONDITION);
    expect(failure.preconditionViolations).toEqual([
      { type: 'TRAFFIC_ALIAS', subject: 'blue', description: 'model ranker has no alias blue' },
      { type: 'TRAFFIC_ALIAS', subject: 'green', description: 'model ranker has no alias green' },
    ]);
  });

  it('needs a ci or admin token', async () => {
    const anonymous = await failureOf(registry.release.anonymous.setTrafficPolicy('ranker', { splits: [split('production', 100)] }));

    expect(anonymous.code).toBe(status.UNAUTHENTICATED);
    expect((await registry.release.admin.setTrafficPolicy('ranker', { splits: [split('production', 100)] })).policy!.splits).toEqual([split('production', 100)]);
  });
});

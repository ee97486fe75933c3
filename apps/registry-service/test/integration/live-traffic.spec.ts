import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import { activeTelemetry, startTelemetry } from '@strata/observability';
import type { TestEngine } from '@strata/testing';
import { failureOf } from '../fixtures/registry-client';
import { FeatureServiceDouble } from '../release-fixtures/feature-service-double';
import { moveAlias, type ReleaseRegistry, startReleaseRegistry } from '../release-fixtures/release-registry';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const CONTRACT = [{ name: 'route_stats', version: 1, digest: DIGEST }];

// Live traffic is a release: an alias other than production with a share above 0% answers
// default requests, so the traffic policy (and any later move of such an alias) is held to
// production's role and gate. Over a real gRPC socket, on PGlite and on PostgreSQL, with the
// feature service played by a test double on a real socket.
describe.each<TestEngine>(['pglite', 'postgres'])('live traffic held to the production gate on %s', (engine) => {
  let features: FeatureServiceDouble;
  let registry: ReleaseRegistry;

  beforeAll(async () => {
    // The feature-contract rule asks the feature service through the OpenTelemetry context (see gates.spec.ts).
    if (activeTelemetry() === undefined) startTelemetry({ serviceName: 'registry-live-traffic-test' });
    features = await FeatureServiceDouble.start();
    features.put({ name: 'route_stats', version: 1, contractDigest: DIGEST, materializedUntil: new Date('2026-11-28T00:00:00Z') });
    registry = await startReleaseRegistry(engine, { FEATURE_SERVICE_ADDRESS: features.address });
  });

  afterAll(async () => {
    await registry?.stop();
    await features?.stop();
  });

  const split = (alias: string, percent: number): registryV1.TrafficSplit => ({ alias, percent });
  // The quickstart's production gate: admins only, auc >= 0.55, feature contract served.
  const productionGate: Partial<registryV1.GatePolicy> = { metricRules: [{ metric: 'auc', evidence: '', min: 0.55, lowerIsBetter: false }], requireFeatureContractServed: true, allowedRoles: ['admin'] };
  const openProductionGate: Partial<registryV1.GatePolicy> = { ...productionGate, allowedRoles: [] };
  const good = { metrics: { auc: 0.6 }, featureContracts: CONTRACT };
  const weak = { metrics: { auc: 0.5 }, featureContracts: CONTRACT };
  const rejectedTrafficEntries = async (modelName: string) =>
    registry.prisma.auditLogEntry.findMany({ where: { modelName, action: 'traffic_policy_set_rejected' }, orderBy: { createdAt: 'asc' } });

  it('refuses a ci token giving live traffic to an ungated alias when production is admins only (PERMISSION_DENIED, audited, nothing changed)', async () => {
    // versions: 1 production (passes), 2 fails auc
    await registry.aModelWithVersions('bypass', [good, weak]);
    await registry.release.admin.setGatePolicy('bypass', 'production', productionGate);
    await registry.release.admin.setAlias({ modelName: 'bypass', alias: 'production', version: 1 });
    await registry.release.ci.setAlias({ modelName: 'bypass', alias: 'chaos-bypass', version: 2 });
    const events = await registry.prisma.releaseEvent.count();

    const denied = await failureOf(registry.release.ci.setTrafficPolicy('bypass', { splits: [split('chaos-bypass', 100)] }, 'chaos test'));

    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(denied.details).toBe('ci-bot (role ci) may not give live traffic to alias chaos-bypass: live traffic releases a version like moving production, whose gate policy allows admin');
    expect(await registry.release.anonymous.getTrafficPolicy('bypass')).toMatchObject({ isDefault: true });
    expect(await registry.prisma.releaseEvent.count()).toBe(events);
    const audit = await registry.release.anonymous.getAuditLog({ modelName: 'bypass', action: 'AUDIT_ACTION_TRAFFIC_POLICY_SET_REJECTED' as registryV1.AuditAction });
    expect(audit.entries).toEqual([expect.objectContaining({ actor: 'ci-bot', actorRole: 'ci', reason: 'chaos test', revision: '0', afterJson: '' })]);
    expect((await rejectedTrafficEntries('bypass'))[0]?.details).toMatchObject({ gate: { policy: { splits: [split('chaos-bypass', 100)] }, denied: denied.details } });
  });

  it('refuses even an admin giving live traffic to a version that fails the production gate: FAILED_PRECONDITION naming each rule, audited', async () => {
    await registry.aModelWithVersions('weak-canary', [good, { metrics: { auc: 0.5 }, featureContracts: [{ name: 'unserved', version: 3 }] }]);
    await registry.release.admin.setGatePolicy('weak-canary', 'production', productionGate);
    await registry.release.admin.setAlias({ modelName: 'weak-canary', alias: 'production', version: 1 });
    await registry.release.admin.setAlias({ modelName: 'weak-canary', alias: 'canary', version: 2 });

    const refused = await failureOf(registry.release.admin.setTrafficPolicy('weak-canary', { splits: [split('production', 90), split('canary', 10)] }, 'canary 10%'));

    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.preconditionViolations).toEqual([
      { type: 'GATE_METRIC', subject: 'auc', description: 'production gate, for live traffic on canary: auc 0.5 < min 0.55' },
      { type: 'GATE_FEATURE_CONTRACT', subject: 'unserved:3', description: 'production gate, for live traffic on canary: feature set unserved:3 does not exist in the feature service' },
    ]);
    expect(refused.details).toMatch(/^production gate refused live traffic on canary \(version 2\) \(2 failed\): /);
    expect(await registry.release.anonymous.getTrafficPolicy('weak-canary')).toMatchObject({ isDefault: true });
    const [entry] = await rejectedTrafficEntries('weak-canary');
    expect(entry).toMatchObject({ actor: 'release-admin', reason: 'canary 10%' });
    expect(entry?.details).toMatchObject({ gate: { refused: [expect.objectContaining({ alias: 'canary', version: 2, passed: false })] } });
  });

  it('accepts live traffic on a version that passes the production gate, a failing alias at 0%, and a failing shadow (its answers never reach a client)', async () => {
    await registry.aModelWithVersions('canary-ok', [good, good, weak]);
    await moveAlias(registry, 'canary-ok', 'production', 1);
    await moveAlias(registry, 'canary-ok', 'canary', 2);
    await moveAlias(registry, 'canary-ok', 'green', 2);
    await moveAlias(registry, 'canary-ok', 'shadow', 3);
    await moveAlias(registry, 'canary-ok', 'blue', 3);
    // "canary first, for a day": the canary's own traffic is that stage, so it is not required for it — but for any other alias.
    await registry.release.admin.setGatePolicy('canary-ok', 'production', { ...openProductionGate, requiredPriorAliases: ['canary'], minTimeInPriorAlias: { seconds: '86400', nanos: 0 } });

    const policy = { splits: [split('production', 80), split('canary', 20), split('blue', 0)], shadowAlias: 'shadow', shadowPercent: 50 };
    const stored = await registry.release.ci.setTrafficPolicy('canary-ok', policy, 'canary 20%');
    const green = await failureOf(registry.release.ci.setTrafficPolicy('canary-ok', { splits: [split('production', 80), split('green', 20)] }));
    const back = await registry.release.ci.setTrafficPolicy('canary-ok', { splits: [split('production', 100), split('canary', 0)] }, 'canary over');

    expect(stored.policy).toEqual(policy);
    expect(green.code).toBe(status.FAILED_PRECONDITION);
    expect(green.preconditionViolations).toEqual([expect.objectContaining({ type: 'GATE_PRIOR_ALIAS', subject: 'canary', description: expect.stringMatching(/^production gate, for live traffic on green: version 2 was canary for .* at most; needs 1d$/) })]);
    expect(back.policy!.splits).toEqual([split('production', 100), split('canary', 0)]);
    expect((await rejectedTrafficEntries('canary-ok')).length).toBe(1);
  });

  it('refuses live traffic on a DEPRECATED version (production only moves to ACTIVE ones)', async () => {
    await registry.aModelWithVersions('deprecated-canary', [good, good]);
    await moveAlias(registry, 'deprecated-canary', 'production', 1);
    await moveAlias(registry, 'deprecated-canary', 'canary', 2);
    await registry.admin.setVersionStatus({ modelName: 'deprecated-canary', version: 2, status: 'VERSION_STATUS_DEPRECATED' as registryV1.VersionStatus, reason: 'superseded' });

    const refused = await failureOf(registry.release.ci.setTrafficPolicy('deprecated-canary', { splits: [split('production', 50), split('canary', 50)] }));

    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.preconditionViolations).toEqual([expect.objectContaining({ type: 'VERSION_STATUS', subject: 'deprecated-canary:2' })]);
  });

  describe('an alias that already takes live traffic', () => {
    beforeAll(async () => {
      // versions: 1 production, 2 canary (passes), 3 fails auc, 4 passes
      await registry.aModelWithVersions('live', [good, good, weak, good]);
      await registry.release.admin.setGatePolicy('live', 'production', openProductionGate);
      await registry.release.ci.setAlias({ modelName: 'live', alias: 'production', version: 1 });
      await moveAlias(registry, 'live', 'canary', 3);
      await moveAlias(registry, 'live', 'canary', 2);
      await registry.release.ci.setTrafficPolicy('live', { splits: [split('production', 50), split('canary', 50)] });
    });

    it('moves only through the production gate: SetAlias to a failing version is FAILED_PRECONDITION, audited as alias_set_rejected', async () => {
      const refused = await failureOf(registry.release.ci.setAlias({ modelName: 'live', alias: 'canary', version: 3, reason: 'swap the canary' }));
      const dryRun = await registry.release.ci.setAlias({ modelName: 'live', alias: 'canary', version: 3, validateOnly: true });

      expect(refused.code).toBe(status.FAILED_PRECONDITION);
      expect(refused.preconditionViolations).toEqual([{ type: 'GATE_METRIC', subject: 'auc', description: 'production gate, for live traffic on canary: auc 0.5 < min 0.55' }]);
      expect(dryRun.gate).toMatchObject({ passed: false, checks: [expect.objectContaining({ kind: 'GATE_RULE_KIND_METRIC', passed: false }), expect.objectContaining({ kind: 'GATE_RULE_KIND_FEATURE_CONTRACT', passed: true })] });
      expect((await registry.release.anonymous.getAlias('live', 'canary')).alias!.version).toBe(2);
      const audit = await registry.release.anonymous.getAuditLog({ modelName: 'live', action: 'AUDIT_ACTION_ALIAS_SET_REJECTED' as registryV1.AuditAction });
      expect(audit.entries).toEqual([expect.objectContaining({ actor: 'ci-bot', alias: 'canary', version: 3, reason: 'swap the canary' })]);
    });

    it('rolls back only to a version that passes the production gate', async () => {
      const refused = await failureOf(registry.release.ci.rollbackAlias({ modelName: 'live', alias: 'canary' }));

      expect(refused.code).toBe(status.FAILED_PRECONDITION);
      expect(refused.preconditionViolations).toEqual([{ type: 'GATE_METRIC', subject: 'auc', description: 'production gate, for live traffic on canary: auc 0.5 < min 0.55' }]);
      expect((await registry.release.anonymous.getAlias('live', 'canary')).alias!.version).toBe(2);
    });

    it('needs production\'s role to move at all once production is admins only; a passing version moves for an admin', async () => {
      await registry.release.admin.setGatePolicy('live', 'production', productionGate);

      const denied = await failureOf(registry.release.ci.setAlias({ modelName: 'live', alias: 'canary', version: 4 }));
      const rollback = await failureOf(registry.release.ci.rollbackAlias({ modelName: 'live', alias: 'canary' }));
      const moved = await registry.release.admin.setAlias({ modelName: 'live', alias: 'canary', version: 4, expectedCurrentVersion: 2 });

      expect([denied.code, rollback.code]).toEqual([status.PERMISSION_DENIED, status.PERMISSION_DENIED]);
      expect(denied.details).toContain('may not move alias canary while it takes live traffic');
      expect(moved.alias!.version).toBe(4);
      expect(moved.gate).toMatchObject({ passed: true, overridden: false });
    });

    it('moves freely again once its traffic is taken away', async () => {
      await registry.release.ci.setTrafficPolicy('live', { splits: [split('production', 100)] }, 'canary over');

      const moved = await registry.release.ci.setAlias({ modelName: 'live', alias: 'canary', version: 3 });

      expect(moved.alias!.version).toBe(3);
    });
  });
});

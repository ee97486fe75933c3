import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import { activeTelemetry, startTelemetry } from '@strata/observability';
import type { TestEngine } from '@strata/testing';
import { failureOf } from '../fixtures/registry-client';
import { FeatureServiceDouble } from '../release-fixtures/feature-service-double';
import { moveAlias, type ReleaseRegistry, startReleaseRegistry } from '../release-fixtures/release-registry';
import { RELEASE_REGISTRY_TOKENS, RELEASE_TOKENS } from '../release-fixtures/tokens';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'e'.repeat(64)}`;

// Promotion gates over a real gRPC socket, on PGlite and on PostgreSQL, with the feature
// service played by a test double on a real socket.
describe.each<TestEngine>(['pglite', 'postgres'])('promotion gates on %s', (engine) => {
  let features: FeatureServiceDouble;
  let registry: ReleaseRegistry;

  beforeAll(async () => {
    // The request context reaches the feature service through the OpenTelemetry context, which
    // needs the SDK's context manager (main.ts starts it; under Jest the test does). The
    // service stops it when it closes.
    if (activeTelemetry() === undefined) startTelemetry({ serviceName: 'registry-gates-test' });
    features = await FeatureServiceDouble.start();
    registry = await startReleaseRegistry(engine, { REGISTRY_TOKENS: RELEASE_REGISTRY_TOKENS, FEATURE_SERVICE_ADDRESS: features.address });
  });

  afterAll(async () => {
    await registry?.stop();
    await features?.stop();
  });

  const strictPolicy: Partial<registryV1.GatePolicy> = {
    metricRules: [
      { metric: 'auc', evidence: '', min: 0.75, maxRegression: 0.02, lowerIsBetter: false },
      { metric: 'logloss', evidence: '', maxRegression: 0.05, lowerIsBetter: true },
      { metric: 'precision', evidence: 'offline-eval', min: 0.8, lowerIsBetter: false },
    ],
    requiredEvidence: ['offline-eval', 'bias-check'],
    requiredPriorAliases: ['canary'],
    requiredApprovals: 2,
    requireFeatureContractServed: true,
  };

  const snapshotOf = async (modelName: string) => {
    const model = await registry.prisma.model.findUniqueOrThrow({ where: { name: modelName } });
    return {
      aliases: await registry.prisma.alias.findMany({ where: { modelId: model.id }, orderBy: { name: 'asc' } }),
      history: await registry.prisma.aliasHistory.count({ where: { modelId: model.id } }),
      events: await registry.prisma.releaseEvent.count(),
      head: (await registry.prisma.releaseEvent.aggregate({ _max: { revision: true } }))._max.revision,
    };
  };
  const evidence = (modelName: string, version: number, name: string, metrics: Record<string, number>, passed = true) =>
    registry.ci.addEvidence({ modelName, version, name, metrics, testResults: [{ name: 'suite', passed, message: '' }] });
  const approve = (modelName: string, version: number, alias: string, token: string) => registry.release.anonymous.as(token).approveVersion({ modelName, version, alias });

  it('promotes a version that passes every rule, with one passed check per rule', async () => {
    features.put({ name: 'flights_delay', version: 2, contractDigest: DIGEST, materializedUntil: new Date('2026-11-28T00:00:00Z') });
    await registry.aModelWithVersions('churn', [
      { metrics: { auc: 0.8, logloss: 0.4 } },
      { metrics: { auc: 0.79, logloss: 0.43 }, featureContracts: [{ name: 'flights_delay', version: 2, digest: DIGEST }] },
    ]);
    await evidence('churn', 2, 'offline-eval', { precision: 0.9 });
    await evidence('churn', 2, 'bias-check', {});
    await moveAlias(registry, 'churn', 'production', 1);
    await moveAlias(registry, 'churn', 'canary', 2);
    await approve('churn', 2, 'production', RELEASE_TOKENS.admin);
    await approve('churn', 2, 'production', RELEASE_TOKENS.secondAdmin);
    await registry.release.admin.setGatePolicy('churn', 'production', strictPolicy);

    const { alias, gate } = await registry.release.ci.setAlias({ modelName: 'churn', alias: 'production', version: 2, expectedCurrentVersion: 1 });

    expect(alias).toMatchObject({ version: 2, previousVersion: 1 });
    expect(gate).toMatchObject({ passed: true, overridden: false });
    expect(gate!.checks.map((c) => [c.kind, c.subject, c.passed])).toEqual([
      ['GATE_RULE_KIND_METRIC', 'auc', true],
      ['GATE_RULE_KIND_REGRESSION', 'auc', true],
      ['GATE_RULE_KIND_REGRESSION', 'logloss', true],
      ['GATE_RULE_KIND_METRIC', 'precision', true],
      ['GATE_RULE_KIND_EVIDENCE', 'offline-eval', true],
      ['GATE_RULE_KIND_EVIDENCE', 'bias-check', true],
      ['GATE_RULE_KIND_PRIOR_ALIAS', 'canary', true],
      ['GATE_RULE_KIND_APPROVAL', 'approvals', true],
      ['GATE_RULE_KIND_FEATURE_CONTRACT', 'flights_delay:2', true],
    ]);
    expect(features.requests.at(-1)).toEqual({ featureSet: 'flights_delay:2', requestId: expect.any(String) });
  });

  it('refuses a version that fails several rules with FAILED_PRECONDITION listing each, and changes nothing but one rejected audit entry', async () => {
    await registry.aModelWithVersions('fails', [{ metrics: { auc: 0.8, logloss: 0.4 } }, { metrics: { auc: 0.7, logloss: 0.5 }, featureContracts: [{ name: 'unknown_set', version: 1 }] }]);
    await moveAlias(registry, 'fails', 'production', 1);
    await registry.release.admin.setGatePolicy('fails', 'production', strictPolicy);
    const before = await snapshotOf('fails');

    const failure = await failureOf(registry.release.ci.setAlias({ modelName: 'fails', alias: 'production', version: 2, expectedCurrentVersion: 1, reason: 'try v2' }));

    expect(failure.code).toBe(status.FAILED_PRECONDITION);
    expect(failure.preconditionViolations.map((v) => [v.type, v.subject])).toEqual([
      ['GATE_METRIC', 'auc'],
      ['GATE_REGRESSION', 'auc'],
      ['GATE_REGRESSION', 'logloss'],
      ['GATE_METRIC', 'precision'],
      ['GATE_EVIDENCE', 'offline-eval'],
      ['GATE_EVIDENCE', 'bias-check'],
      ['GATE_PRIOR_ALIAS', 'canary'],
      ['GATE_APPROVAL', 'approvals'],
      ['GATE_FEATURE_CONTRACT', 'unknown_set:1'],
    ]);
    expect(failure.preconditionViolations[0]!.description).toBe('auc 0.7 < min 0.75');
    expect(await snapshotOf('fails')).toEqual(before);
    const audit = await registry.release.anonymous.getAuditLog({ modelName: 'fails', action: 'AUDIT_ACTION_ALIAS_SET_REJECTED' as registryV1.AuditAction });
    expect(audit.entries).toEqual([expect.objectContaining({ actor: 'ci-bot', alias: 'production', version: 2, reason: 'try v2', revision: '0', afterJson: '' })]);
    expect(JSON.parse(audit.entries[0]!.beforeJson)).toMatchObject({ version: 1 });
    const stored = await registry.prisma.auditLogEntry.findFirstOrThrow({ where: { modelName: 'fails', action: 'alias_set_rejected' } });
    expect(stored.details).toMatchObject({ gate: { passed: false, checks: expect.arrayContaining([expect.objectContaining({ kind: 'approval', passed: false })]) } });
  });

  it('reports the evaluation for validate_only without moving or auditing', async () => {
    await registry.aModelWithVersions('dry-run', [{ metrics: { auc: 0.7 } }]);
    await registry.release.admin.setGatePolicy('dry-run', 'production', { metricRules: [{ metric: 'auc', evidence: '', min: 0.75, lowerIsBetter: false }] });
    const auditBefore = await registry.prisma.auditLogEntry.count({ where: { modelName: 'dry-run' } });

    const { alias, gate } = await registry.release.ci.setAlias({ modelName: 'dry-run', alias: 'production', version: 1, validateOnly: true });

    expect(alias).toBeNull();
    expect(gate).toEqual({ passed: false, overridden: false, checks: [{ kind: 'GATE_RULE_KIND_METRIC', subject: 'auc', passed: false, detail: 'auc 0.7 < min 0.75' }] });
    expect(await registry.prisma.alias.count({ where: { modelVersion: { model: { name: 'dry-run' } } } })).toBe(0);
    expect(await registry.prisma.auditLogEntry.count({ where: { modelName: 'dry-run' } })).toBe(auditBefore);
  });

  it('lets an admin override a failing gate (audited as overridden) but not ci', async () => {
    await registry.aModelWithVersions('override', [{ metrics: { auc: 0.5 } }]);
    await registry.release.admin.setGatePolicy('override', 'production', { metricRules: [{ metric: 'auc', evidence: '', min: 0.75, lowerIsBetter: false }] });

    const denied = await failureOf(registry.release.ci.setAlias({ modelName: 'override', alias: 'production', version: 1, overrideGate: true }));
    const { alias, gate } = await registry.release.admin.setAlias({ modelName: 'override', alias: 'production', version: 1, overrideGate: true, reason: 'hotfix' });

    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(alias!.version).toBe(1);
    expect(gate).toMatchObject({ passed: false, overridden: true });
    const stored = await registry.prisma.auditLogEntry.findFirstOrThrow({ where: { modelName: 'override', action: 'alias_set' } });
    expect(stored).toMatchObject({ actor: 'release-admin', role: 'admin', reason: 'hotfix', details: expect.objectContaining({ gate: expect.objectContaining({ overridden: true }) }) });
  });

  it('protects an alias whose policy allows only admin: ci gets PERMISSION_DENIED on SetAlias and RollbackAlias', async () => {
    await registry.aModelWithVersions('protected', [{}, {}]);
    await registry.release.admin.setGatePolicy('protected', 'production', { allowedRoles: ['admin'] });
    await registry.release.admin.setAlias({ modelName: 'protected', alias: 'production', version: 1 });
    await registry.release.admin.setAlias({ modelName: 'protected', alias: 'production', version: 2 });

    const move = await failureOf(registry.release.ci.setAlias({ modelName: 'protected', alias: 'production', version: 1 }));
    const rollback = await failureOf(registry.release.ci.rollbackAlias({ modelName: 'protected', alias: 'production' }));
    const staging = await registry.release.ci.setAlias({ modelName: 'protected', alias: 'staging', version: 1 });

    expect([move.code, rollback.code]).toEqual([status.PERMISSION_DENIED, status.PERMISSION_DENIED]);
    expect(move.details).toContain('allows admin');
    expect(staging.alias!.version).toBe(1);
    expect((await registry.release.anonymous.getAlias('protected', 'production')).alias!.version).toBe(2);
  });

  it('counts distinct approvals per alias; approving again returns the first approval; only admins approve', async () => {
    await registry.aModelWithVersions('approvals', [{}, {}]);
    await registry.release.admin.setGatePolicy('approvals', 'production', { requiredApprovals: 2 });

    const first = await approve('approvals', 1, 'production', RELEASE_TOKENS.admin);
    const again = await registry.release.admin.approveVersion({ modelName: 'approvals', version: 1, alias: 'production', reason: 'again' });
    await approve('approvals', 1, 'canary', RELEASE_TOKENS.secondAdmin);
    const oneApproval = await failureOf(registry.release.ci.setAlias({ modelName: 'approvals', alias: 'production', version: 1 }));
    await approve('approvals', 1, 'production', RELEASE_TOKENS.secondAdmin);
    const promoted = await registry.release.ci.setAlias({ modelName: 'approvals', alias: 'production', version: 1 });
    const byCi = await failureOf(registry.release.ci.approveVersion({ modelName: 'approvals', version: 1, alias: 'production' }));

    expect(first).toMatchObject({ alreadyExisted: false, approval: { modelName: 'approvals', version: 1, alias: 'production', approvedBy: 'release-admin', reason: 'reviewed' } });
    expect(again).toEqual({ ...first, alreadyExisted: true });
    expect(oneApproval.preconditionViolations).toEqual([{ type: 'GATE_APPROVAL', subject: 'approvals', description: '1 of 2 required approvals (release-admin)' }]);
    expect(promoted.gate!.checks).toEqual([expect.objectContaining({ passed: true, detail: '2 of 2 required approvals (release-admin, second-admin)' })]);
    expect(byCi.code).toBe(status.PERMISSION_DENIED);
    expect(await registry.prisma.auditLogEntry.count({ where: { modelName: 'approvals', action: 'version_approved' } })).toBe(3);
  });

  it('refuses approving an ARCHIVED version, an unknown version, or without a reason', async () => {
    await registry.aModelWithVersions('approve-refusals', [{}, {}]);
    await registry.admin.setVersionStatus({ modelName: 'approve-refusals', version: 1, status: 'VERSION_STATUS_ARCHIVED' as registryV1.VersionStatus, reason: 'retired' });

    const archived = await failureOf(registry.release.admin.approveVersion({ modelName: 'approve-refusals', version: 1, alias: 'production' }));
    const unknown = await failureOf(registry.release.admin.approveVersion({ modelName: 'approve-refusals', version: 7, alias: 'production' }));
    const noReason = await failureOf(registry.release.admin.approveVersion({ modelName: 'approve-refusals', version: 2, alias: 'production', reason: '' }));

    expect([archived.code, unknown.code, noReason.code]).toEqual([status.FAILED_PRECONDITION, status.NOT_FOUND, status.INVALID_ARGUMENT]);
  });

  it('requires the minimum time in a prior alias, measured from alias history', async () => {
    await registry.aModelWithVersions('soak', [{}, {}]);
    await registry.release.admin.setGatePolicy('soak', 'production', { requiredPriorAliases: ['canary'], minTimeInPriorAlias: { seconds: '3600', nanos: 0 } });
    await moveAlias(registry, 'soak', 'canary', 1);
    await moveAlias(registry, 'soak', 'canary', 2);

    const tooSoon = await failureOf(registry.release.ci.setAlias({ modelName: 'soak', alias: 'production', version: 2 }));
    // Back-date the canary history: version 1 held canary for 30 minutes, version 2 has held it for 2 hours.
    const model = await registry.prisma.model.findUniqueOrThrow({ where: { name: 'soak' } });
    const [toVersion1, toVersion2] = await registry.prisma.aliasHistory.findMany({ where: { modelId: model.id, alias: 'canary' }, orderBy: { revision: 'asc' } });
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);
    await registry.prisma.aliasHistory.update({ where: { id: toVersion1!.id }, data: { movedAt: hoursAgo(2.5) } });
    await registry.prisma.aliasHistory.update({ where: { id: toVersion2!.id }, data: { movedAt: hoursAgo(2) } });
    const soaked = await registry.release.ci.setAlias({ modelName: 'soak', alias: 'production', version: 2 });
    const never = await failureOf(registry.release.ci.setAlias({ modelName: 'soak', alias: 'production', version: 1 }));

    expect(tooSoon.preconditionViolations).toEqual([{ type: 'GATE_PRIOR_ALIAS', subject: 'canary', description: expect.stringMatching(/^version 2 was canary for .* at most; needs 1h$/) }]);
    expect(soaked.gate!.checks[0]).toMatchObject({ passed: true, detail: expect.stringMatching(/^version 2 was canary for 2h/) });
    expect(never.preconditionViolations).toEqual([{ type: 'GATE_PRIOR_ALIAS', subject: 'canary', description: 'version 1 was canary for 30m at most; needs 1h' }]);
  });

  it('fails the feature-contract rule on a digest mismatch or a never-materialized set', async () => {
    features.put({ name: 'other_digest', version: 1, contractDigest: OTHER_DIGEST, materializedUntil: new Date() }).put({ name: 'cold', version: 3, contractDigest: DIGEST });
    await registry.aModelWithVersions('contracts', [{ featureContracts: [{ name: 'other_digest', version: 1, digest: DIGEST }, { name: 'cold', version: 3, digest: DIGEST }] }]);
    await registry.release.admin.setGatePolicy('contracts', 'production', { requireFeatureContractServed: true });

    const failure = await failureOf(registry.release.ci.setAlias({ modelName: 'contracts', alias: 'production', version: 1 }));

    expect(failure.preconditionViolations).toEqual([
      { type: 'GATE_FEATURE_CONTRACT', subject: 'other_digest:1', description: expect.stringContaining(`has contract ${OTHER_DIGEST}`) },
      { type: 'GATE_FEATURE_CONTRACT', subject: 'cold:3', description: 'feature set cold:3 has never been materialized' },
    ]);
  });

  it('stores, returns and removes gate policies (admin only, audited), refusing bad rules with every bad field', async () => {
    await registry.aModelWithVersions('policies', [{}]);
    const policy = { metricRules: [{ metric: 'auc', evidence: '', min: 0.7, maxRegression: 0.01, lowerIsBetter: false }], requiredPriorAliases: ['canary'], minTimeInPriorAlias: { seconds: '90', nanos: 0 }, allowedRoles: ['admin'] };

    const stored = await registry.release.admin.setGatePolicy('policies', 'production', policy, 'protect prod');
    const read = await registry.release.anonymous.getGatePolicy('policies', 'production');
    const invalid = await failureOf(
      registry.release.admin.setGatePolicy('policies', 'production', { metricRules: [{ metric: 'auc', evidence: '', min: 0.9, max: 0.1, lowerIsBetter: false }], requiredPriorAliases: ['production'] }),
    );
    const removed = await registry.release.admin.setGatePolicy('policies', 'production', null, 'open it');
    const unknownModel = await failureOf(registry.release.admin.setGatePolicy('nope', 'production', {}));

    // (proto-loader adds `_min`-style markers of proto3 optional fields, hence toMatchObject)
    expect(stored.policy).toMatchObject({ ...policy, requiredEvidence: [], requireFeatureContractServed: false, requiredApprovals: 0 });
    expect(read).toEqual(stored);
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.fieldViolations).toEqual([
      { field: 'policy.metric_rules[0]', description: 'min 0.9 > max 0.1' },
      { field: 'policy.required_prior_aliases[0]', description: 'an alias cannot be its own prior alias ("production")' },
    ]);
    expect(removed.policy).toEqual((await registry.release.anonymous.getGatePolicy('policies', 'staging')).policy);
    expect(unknownModel.code).toBe(status.NOT_FOUND);
    const audit = await registry.release.anonymous.getAuditLog({ modelName: 'policies', action: 'AUDIT_ACTION_GATE_POLICY_SET' as registryV1.AuditAction });
    expect(audit.entries.map((e) => [e.reason, e.beforeJson === '', e.afterJson === ''])).toEqual([
      ['open it', false, true],
      ['protect prod', true, false],
    ]);
  });

  // Stops the feature-service double: keep this test last.
  it('answers UNAVAILABLE when the feature service cannot be asked, and leaves everything unchanged', async () => {
    await registry.aModelWithVersions('unreachable', [{ featureContracts: [{ name: 'flights_delay', version: 2, digest: DIGEST }] }]);
    await registry.release.admin.setGatePolicy('unreachable', 'production', { requireFeatureContractServed: true });
    await features.stop();

    const failure = await failureOf(registry.release.ci.setAlias({ modelName: 'unreachable', alias: 'production', version: 1 }));

    expect(failure.code).toBe(status.UNAVAILABLE);
    expect(failure.details).toContain('flights_delay:2');
    expect(await registry.prisma.alias.count({ where: { modelVersion: { model: { name: 'unreachable' } } } })).toBe(0);
  });
});

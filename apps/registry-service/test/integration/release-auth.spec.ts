import { status } from '@grpc/grpc-js';
import type { TestEngine } from '@strata/testing';
import { failureOf } from '../fixtures/registry-client';
import { type ReleaseRegistry, startReleaseRegistry } from '../release-fixtures/release-registry';

// Authentication and roles of the release RPCs, over a real gRPC socket, on PGlite and PostgreSQL.
describe.each<TestEngine>(['pglite', 'postgres'])('release RPC auth on %s', (engine) => {
  let registry: ReleaseRegistry;

  beforeAll(async () => {
    registry = await startReleaseRegistry(engine);
    await registry.aModelWithVersions('guarded', [{}]);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('answers UNAUTHENTICATED to mutating calls without a token or with an unknown one, and changes nothing', async () => {
    const forged = registry.release.anonymous.as('not-a-known-token');
    const calls = [
      (client = registry.release.anonymous) => client.setAlias({ modelName: 'guarded', alias: 'production', version: 1 }),
      (client = registry.release.anonymous) => client.rollbackAlias({ modelName: 'guarded', alias: 'production' }),
      (client = registry.release.anonymous) => client.setGatePolicy('guarded', 'production', {}),
      (client = registry.release.anonymous) => client.approveVersion({ modelName: 'guarded', version: 1, alias: 'production' }),
      (client = registry.release.anonymous) => client.setTrafficPolicy('guarded', { splits: [{ alias: 'production', percent: 100 }] }),
    ];

    for (const call of calls) {
      expect((await failureOf(call())).code).toBe(status.UNAUTHENTICATED);
      expect((await failureOf(call(forged))).code).toBe(status.UNAUTHENTICATED);
    }
    expect(await registry.prisma.auditLogEntry.count({ where: { modelName: 'guarded', actor: { not: 'ci-bot' } } })).toBe(0);
  });

  it('answers PERMISSION_DENIED when ci calls an admin-only RPC', async () => {
    const gate = await failureOf(registry.release.ci.setGatePolicy('guarded', 'production', { requiredApprovals: 1 }));
    const approval = await failureOf(registry.release.ci.approveVersion({ modelName: 'guarded', version: 1, alias: 'production' }));

    expect([gate.code, approval.code]).toEqual([status.PERMISSION_DENIED, status.PERMISSION_DENIED]);
    expect(gate.details).toContain('needs admin');
  });

  it('serves the read RPCs without a token', async () => {
    await registry.release.ci.setAlias({ modelName: 'guarded', alias: 'staging', version: 1 });

    expect((await registry.release.anonymous.getAlias('guarded', 'staging')).alias!.version).toBe(1);
    expect((await registry.release.anonymous.listAliases('guarded')).aliases).toHaveLength(1);
    expect((await registry.release.anonymous.getGatePolicy('guarded', 'staging')).policy!.metricRules).toEqual([]);
    expect((await registry.release.anonymous.getTrafficPolicy('guarded')).isDefault).toBe(true);
    expect((await registry.release.anonymous.getAuditLog({ modelName: 'guarded' })).entries.length).toBeGreaterThan(0);
  });
});

import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { TestEngine } from '@strata/testing';
import { failureOf } from '../fixtures/registry-client';
import { type ReleaseRegistry, startReleaseRegistry } from '../release-fixtures/release-registry';

// GetAuditLog over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each<TestEngine>(['pglite', 'postgres'])('audit log on %s', (engine) => {
  let registry: ReleaseRegistry;

  beforeAll(async () => {
    registry = await startReleaseRegistry(engine);
    await registry.aModelWithVersions('audited', [{}, {}]);
    // model_created, 2x version_registered, then 6 alias moves and one rollback
    for (const version of [1, 2, 1, 2, 1, 2]) await registry.release.ci.setAlias({ modelName: 'audited', alias: 'production', version, reason: `to ${version}` });
    await registry.release.ci.rollbackAlias({ modelName: 'audited', alias: 'production', reason: 'undo' });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('returns every entry newest first, one page at a time, with tokens that resume exactly', async () => {
    const pages: registryV1.AuditEntry[][] = [];
    let pageToken = '';
    do {
      const response = await registry.release.anonymous.getAuditLog({ modelName: 'audited', page: { pageSize: 4, pageToken } });
      pages.push(response.entries);
      pageToken = response.page!.nextPageToken;
    } while (pageToken !== '');

    const entries = pages.flat();
    expect(pages.map((page) => page.length)).toEqual([4, 4, 2]);
    expect(entries.map((e) => e.action)).toEqual([
      'AUDIT_ACTION_ALIAS_ROLLED_BACK',
      ...Array(6).fill('AUDIT_ACTION_ALIAS_SET'),
      'AUDIT_ACTION_VERSION_REGISTERED',
      'AUDIT_ACTION_VERSION_REGISTERED',
      'AUDIT_ACTION_MODEL_CREATED',
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries[0]).toMatchObject({ actor: 'ci-bot', actorRole: 'ci', modelName: 'audited', alias: 'production', version: 1, reason: 'undo', requestId: expect.any(String) });
    const times = entries.map((e) => Number(e.time!.seconds) * 1e9 + e.time!.nanos);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by action and by time range', async () => {
    const sets = await registry.release.anonymous.getAuditLog({ modelName: 'audited', action: 'AUDIT_ACTION_ALIAS_SET' as registryV1.AuditAction });
    const all = await registry.release.anonymous.getAuditLog({ modelName: 'audited' });
    const newest = all.entries[0]!.time!;
    const onlyNewest = await registry.release.anonymous.getAuditLog({ modelName: 'audited', timeRange: { start: newest, end: null } });
    const beforeNewest = await registry.release.anonymous.getAuditLog({ modelName: 'audited', timeRange: { start: null, end: newest } });

    expect(sets.entries.map((e) => e.reason)).toEqual(['to 2', 'to 1', 'to 2', 'to 1', 'to 2', 'to 1']);
    expect(onlyNewest.entries.map((e) => e.action)).toEqual(['AUDIT_ACTION_ALIAS_ROLLED_BACK']);
    expect(beforeNewest.entries).toHaveLength(all.entries.length - 1);
  });

  it('refuses a token made for other filters, a malformed token, a negative page size and a reversed range; NOT_FOUND for an unknown model', async () => {
    const first = await registry.release.anonymous.getAuditLog({ modelName: 'audited', page: { pageSize: 2, pageToken: '' } });
    const otherFilter = await failureOf(
      registry.release.anonymous.getAuditLog({ modelName: 'audited', action: 'AUDIT_ACTION_ALIAS_SET' as registryV1.AuditAction, page: { pageSize: 2, pageToken: first.page!.nextPageToken } }),
    );
    const malformed = await failureOf(registry.release.anonymous.getAuditLog({ modelName: 'audited', page: { pageSize: 2, pageToken: 'not-a-token' } }));
    const negative = await failureOf(registry.release.anonymous.getAuditLog({ modelName: 'audited', page: { pageSize: -1, pageToken: '' } }));
    const reversed = await failureOf(registry.release.anonymous.getAuditLog({ modelName: 'audited', timeRange: { start: { seconds: '20', nanos: 0 }, end: { seconds: '10', nanos: 0 } } }));
    const unknown = await failureOf(registry.release.anonymous.getAuditLog({ modelName: 'never-created' }));

    expect([otherFilter.code, malformed.code, negative.code, reversed.code]).toEqual(Array(4).fill(status.INVALID_ARGUMENT));
    expect(otherFilter.fieldViolations).toEqual([{ field: 'page.page_token', description: 'the token belongs to a request with different filters' }]);
    expect(unknown.code).toBe(status.NOT_FOUND);
  });
});

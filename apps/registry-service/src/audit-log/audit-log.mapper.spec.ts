import { registryV1 } from '@strata/contracts';
import { auditLogQueryOf, canonicalJson, toAuditEntryMessage } from './audit-log.mapper';

describe('audit log mapper', () => {
  it('prints canonical JSON: keys sorted at every level, arrays in order, empty for nothing', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(undefined)).toBe('');
  });

  it('maps an entry with its action, revision and states', () => {
    const message = toAuditEntryMessage({
      id: '0193a6b2-0000-7000-8000-000000000001',
      time: new Date('2026-11-28T10:00:00.250Z'),
      caller: { subject: 'ci-bot', role: 'ci' },
      action: 'alias_set_rejected',
      modelName: 'churn',
      alias: 'production',
      version: 3,
      reason: 'try',
      before: { version: 2, alias: 'production' },
      revision: undefined,
    });
    expect(message).toEqual({
      id: '0193a6b2-0000-7000-8000-000000000001',
      time: { seconds: String(Date.parse('2026-11-28T10:00:00Z') / 1000), nanos: 250_000_000 },
      actor: 'ci-bot',
      actorRole: 'ci',
      action: registryV1.AuditAction.AUDIT_ACTION_ALIAS_SET_REJECTED,
      modelName: 'churn',
      alias: 'production',
      version: 3,
      reason: 'try',
      beforeJson: '{"alias":"production","version":2}',
      afterJson: '',
      revision: '0',
      requestId: '',
    });
  });

  it('reads the action filter and the time range of a request', () => {
    const query = auditLogQueryOf({
      modelName: 'churn',
      page: null,
      action: registryV1.AuditAction.AUDIT_ACTION_TRAFFIC_POLICY_SET,
      timeRange: { start: { seconds: '10', nanos: 5_000_000 }, end: null },
    });
    expect(query).toEqual({ modelName: 'churn', page: { pageSize: 0, pageToken: '' }, action: 'traffic_policy_set', from: new Date(10_005) });
    expect(auditLogQueryOf({ modelName: 'churn', page: null, action: registryV1.AuditAction.AUDIT_ACTION_UNSPECIFIED, timeRange: null }).action).toBeUndefined();
  });
});

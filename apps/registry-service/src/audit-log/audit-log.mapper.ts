import { fromTimestamp, toTimestamp } from '@strata/service-runtime';
import { registryV1 } from '@strata/contracts';
import type { AuditAction, AuditEntry } from './audit-entry';
import type { AuditLogQuery } from './audit-log.service';

const PREFIX = 'AUDIT_ACTION_';

export function auditLogQueryOf(request: registryV1.GetAuditLogRequest): AuditLogQuery {
  const from = fromTimestamp(request.timeRange?.start);
  const to = fromTimestamp(request.timeRange?.end);
  return {
    modelName: request.modelName,
    page: { pageSize: request.page?.pageSize ?? 0, pageToken: request.page?.pageToken ?? '' },
    ...(request.action === registryV1.AuditAction.AUDIT_ACTION_UNSPECIFIED ? {} : { action: request.action.slice(PREFIX.length).toLowerCase() as AuditAction }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

export function toAuditEntryMessage(entry: AuditEntry): registryV1.AuditEntry {
  return {
    id: entry.id,
    time: toTimestamp(entry.time),
    actor: entry.caller.subject,
    actorRole: entry.caller.role,
    action: `${PREFIX}${entry.action.toUpperCase()}` as registryV1.AuditAction,
    modelName: entry.modelName,
    alias: entry.alias ?? '',
    version: entry.version ?? 0,
    reason: entry.reason ?? '',
    beforeJson: canonicalJson(entry.before),
    afterJson: canonicalJson(entry.after),
    revision: (entry.revision ?? 0n).toString(),
    requestId: entry.requestId ?? '',
  };
}

/** JSON with object keys sorted at every level, so equal states print equally; '' for undefined. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

// Human renderings of release state: aliases, gates, traffic, the audit log and the release stream.
import type { registryV1 } from '@strata/contracts';
import { durationToJson } from './json';
import { formatEnum, formatTime, renderFields, renderTable, shortDigest } from './table';

export function renderAliasTable(aliases: readonly registryV1.AliasInfo[]): string {
  return renderTable(
    ['ALIAS', 'VERSION', 'PREVIOUS', 'SHA256', 'REVISION', 'BY', 'UPDATED', 'REASON'],
    aliases.map((a) => [
      a.alias,
      String(a.version),
      a.previousVersion === 0 ? '-' : String(a.previousVersion),
      shortDigest(a.artifactSha256),
      a.revision,
      a.updatedBy,
      formatTime(a.updatedAt),
      a.reason,
    ]),
    '(no aliases)',
  );
}

export function renderAlias(alias: registryV1.AliasInfo): string {
  return renderFields([
    ['model', alias.modelName],
    ['alias', alias.alias],
    ['version', String(alias.version)],
    ['previous version', alias.previousVersion === 0 ? 'none' : String(alias.previousVersion)],
    ['sha256', alias.artifactSha256],
    ['revision', alias.revision],
    ['updated', `${formatTime(alias.updatedAt)}${alias.updatedBy === '' ? '' : ` by ${alias.updatedBy}`}`],
    ['reason', alias.reason],
  ]);
}

/** The gate checks of a SetAlias, one line each: `pass  metric auc  auc 0.81 >= min 0.7`. */
export function renderGateEvaluation(gate: registryV1.GateEvaluation | null | undefined): string {
  if (gate === null || gate === undefined || gate.checks.length === 0) return 'gate: no rules\n';
  const verdict = gate.passed ? 'passed' : gate.overridden ? 'FAILED (overridden by admin)' : 'FAILED';
  const rows = gate.checks.map((c) => [c.passed ? 'pass' : 'FAIL', formatEnum(c.kind, 'GATE_RULE_KIND_').replace(/_/g, '-'), c.subject, c.detail]);
  return `gate: ${verdict}\n${renderTable(['', 'RULE', 'SUBJECT', 'DETAIL'], rows)}`;
}

/** A metric rule in the syntax `gates set --metric` accepts, e.g. `auc>=0.7` or `offline-eval:auc<=0.9`. */
export function formatMetricRule(rule: registryV1.MetricRule): string[] {
  const name = rule.evidence === '' ? rule.metric : `${rule.evidence}:${rule.metric}`;
  const parts: string[] = [];
  if (rule.min !== undefined && rule.min !== null) parts.push(`${name}>=${rule.min}`);
  if (rule.max !== undefined && rule.max !== null) parts.push(`${name}<=${rule.max}`);
  if (rule.maxRegression !== undefined && rule.maxRegression !== null) {
    parts.push(`${name} may regress by at most ${rule.maxRegression} (${rule.lowerIsBetter ? 'lower' : 'higher'} is better)`);
  }
  return parts;
}

export function renderGatePolicy(policy: registryV1.GatePolicy | null | undefined): string {
  if (policy === null || policy === undefined) return 'no gate: any ACTIVE version may be promoted\n';
  const metrics = policy.metricRules.flatMap(formatMetricRule);
  const fields = renderFields([
    ['metrics', metrics.join(', ')],
    ['required evidence', policy.requiredEvidence.join(', ')],
    ['required prior aliases', policy.requiredPriorAliases.join(', ')],
    ['min time in prior alias', policy.minTimeInPriorAlias === null || policy.minTimeInPriorAlias === undefined ? '' : durationToJson(policy.minTimeInPriorAlias)],
    ['required approvals', policy.requiredApprovals === 0 ? '' : String(policy.requiredApprovals)],
    ['allowed roles', policy.allowedRoles.join(', ')],
    ['feature contracts served', policy.requireFeatureContractServed ? 'required' : ''],
  ]);
  return fields === '' ? 'no gate: any ACTIVE version may be promoted\n' : fields;
}

export function renderTrafficPolicy(policy: registryV1.TrafficPolicy | null | undefined, isDefault: boolean): string {
  const rows = (policy?.splits ?? []).map((s) => [s.alias, `${s.percent}%`]);
  if (policy !== null && policy !== undefined && policy.shadowAlias !== '') rows.push([policy.shadowAlias, `shadow ${policy.shadowPercent}%`]);
  return `${renderTable(['ALIAS', 'TRAFFIC'], rows)}${isDefault ? '(default policy: no policy was set)\n' : ''}`;
}

export function renderAuditTable(entries: readonly registryV1.AuditEntry[]): string {
  return renderTable(
    ['TIME', 'ACTOR', 'ACTION', 'ALIAS', 'VERSION', 'REVISION', 'REASON'],
    entries.map((e) => [
      formatTime(e.time),
      e.actorRole === '' ? e.actor : `${e.actor} (${e.actorRole})`,
      formatEnum(e.action, 'AUDIT_ACTION_').replace(/_/g, '-'),
      e.alias,
      e.version === 0 ? '' : String(e.version),
      e.revision === '0' ? '' : e.revision,
      e.reason,
    ]),
    '(no audit entries)',
  );
}

function renderEvent(event: registryV1.ReleaseEvent): string {
  const head = `rev ${event.revision}  ${formatTime(event.time)}  ${event.modelName}`;
  const who = `${event.actor === '' ? '' : `  by ${event.actor}`}${event.reason === '' ? '' : `: ${event.reason}`}`;
  switch (event.kind) {
    case 'RELEASE_EVENT_KIND_ALIAS_MOVED':
      return `${head}  alias ${event.alias} -> v${event.version} (was ${event.previousVersion === 0 ? 'new' : `v${event.previousVersion}`}) sha256 ${shortDigest(event.artifactSha256)}${who}`;
    case 'RELEASE_EVENT_KIND_VERSION_STATUS_CHANGED':
      return `${head}  v${event.version} is now ${formatEnum(event.versionStatus, 'VERSION_STATUS_')}${who}`;
    case 'RELEASE_EVENT_KIND_TRAFFIC_POLICY_CHANGED': {
      const policy = event.trafficPolicy;
      const splits = (policy?.splits ?? []).map((s) => `${s.alias}=${s.percent}`).join(' ');
      const shadow = policy === null || policy === undefined || policy.shadowAlias === '' ? '' : ` shadow ${policy.shadowAlias}=${policy.shadowPercent}`;
      return `${head}  traffic ${splits}${shadow}${who}`;
    }
    default:
      return `${head}  ${event.kind}${who}`;
  }
}

/** One WatchReleases message as human lines (heartbeats are not shown). */
export function renderReleaseMessage(message: registryV1.WatchReleasesResponse): string {
  if (message.snapshot !== null && message.snapshot !== undefined) {
    const { snapshot } = message;
    const lines = [`snapshot at rev ${snapshot.revision}${snapshot.reset ? ' (reset: replace your state)' : ''}: ${snapshot.models.length} model(s)`];
    for (const model of snapshot.models) {
      const aliases = model.aliases.map((a) => `${a.alias}=v${a.version}`).join(' ');
      const traffic = (model.trafficPolicy?.splits ?? []).map((s) => `${s.alias}=${s.percent}%`).join(' ');
      lines.push(`  ${model.modelName}  ${aliases}${traffic === '' ? '' : `  traffic ${traffic}`}`);
    }
    return `${lines.join('\n')}\n`;
  }
  if (message.event !== null && message.event !== undefined) return `${renderEvent(message.event)}\n`;
  return '';
}

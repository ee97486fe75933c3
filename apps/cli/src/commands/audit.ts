import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { parseInteger } from '../args';
import { type CliDeps, withContext } from '../context';
import { UsageError } from '../errors';
import { renderAuditTable } from '../output/release-views';
import { PAGE_SIZE } from '../registry-client';

const ACTIONS = [
  'model-created',
  'version-registered',
  'evidence-added',
  'version-status-changed',
  'alias-set',
  'alias-set-rejected',
  'alias-rolled-back',
  'gate-policy-set',
  'traffic-policy-set',
  'traffic-policy-set-rejected',
  'version-approved',
] as const;

/** `alias-set` -> `AUDIT_ACTION_ALIAS_SET`. */
export function parseAuditAction(text: string): registryV1.AuditAction {
  const name = text.trim().toLowerCase().replace(/_/g, '-');
  if (!(ACTIONS as readonly string[]).includes(name)) throw new UsageError(`--action: expected one of ${ACTIONS.join(', ')}, got "${text}"`);
  return `AUDIT_ACTION_${name.toUpperCase().replace(/-/g, '_')}` as registryV1.AuditAction;
}

export function registerAuditCommand(program: Command, deps: CliDeps): void {
  program
    .command('audit')
    .description("show a model's audit log, newest first: who did what, when and why")
    .argument('<model>', 'model name')
    .option('--limit <n>', 'at most this many entries', '50')
    .option('--action <action>', `only this action: ${ACTIONS.join(', ')}`)
    .action((model: string, options: { limit: string; action?: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const limit = parseInteger(options.limit, '--limit', 1, 100_000);
        const action = options.action === undefined ? ('AUDIT_ACTION_UNSPECIFIED' as registryV1.AuditAction) : parseAuditAction(options.action);
        const entries: registryV1.AuditEntry[] = [];
        let pageToken = '';
        do {
          const response = await ctx.registry.getAuditLog({ modelName: model, action, timeRange: null, page: { pageSize: Math.min(PAGE_SIZE, limit - entries.length), pageToken } });
          entries.push(...response.entries);
          pageToken = response.page?.nextPageToken ?? '';
        } while (pageToken !== '' && entries.length < limit);
        const shown = entries.slice(0, limit);
        ctx.print({ entries: shown }, () => renderAuditTable(shown));
      }),
    );
}

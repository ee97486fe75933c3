import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { parseInteger, parseVersion } from '../args';
import { type CliDeps, withContext } from '../context';
import { CliFailure, present } from '../errors';
import { ExitCode } from '../exit-codes';
import { renderAlias, renderAliasTable, renderGateEvaluation } from '../output/release-views';

/** Options of `aliases set`. */
export interface SetAliasOptions {
  expect?: string;
  reason: string;
  validateOnly?: boolean;
  overrideGate?: boolean;
}

/** `--expect N` -> expectedCurrentVersion (0 = the alias must not exist yet); absent = unconditional. */
function expectedVersion(expect: string | undefined): { expectedCurrentVersion?: number } {
  return expect === undefined ? {} : { expectedCurrentVersion: parseInteger(expect, '--expect', 0) };
}

/** `aliases set` arguments -> SetAliasRequest. */
export function setAliasRequest(model: string, alias: string, version: string, options: SetAliasOptions): registryV1.SetAliasRequest {
  return {
    modelName: model,
    alias,
    version: parseVersion(version),
    ...expectedVersion(options.expect),
    reason: options.reason,
    overrideGate: options.overrideGate === true,
    validateOnly: options.validateOnly === true,
  };
}

/** `aliases rollback` arguments -> RollbackAliasRequest. */
export function rollbackAliasRequest(model: string, alias: string, options: { expect?: string; reason: string }): registryV1.RollbackAliasRequest {
  return { modelName: model, alias, reason: options.reason, ...expectedVersion(options.expect) };
}

export function registerAliasCommands(program: Command, deps: CliDeps): void {
  const aliases = program.command('aliases').description('aliases: the promotion (set), rollback, list, get');

  aliases
    .command('set')
    .description("point an alias at a version: compare-and-set with --expect, then the alias's gate")
    .argument('<model>', 'model name')
    .argument('<alias>', 'alias name, e.g. production or canary')
    .argument('<version>', 'target version number (must be ACTIVE)')
    .option('--expect <version>', 'only if the alias points at this version now (0 = only if it does not exist); else exit 5')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .option('--validate-only', 'evaluate compare-and-set and gate without changing anything (exit 4 if the gate would fail)')
    .option('--override-gate', 'admin only: move the alias although the gate fails (audited)')
    .addHelpText('after', '\nA failing gate exits 4 and lists every failing rule on stderr; a stale --expect exits 5.')
    .action((model: string, alias: string, version: string, options: SetAliasOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const request = setAliasRequest(model, alias, version, options);
        const response = await ctx.registry.setAlias(request);
        const gateFailed = response.gate !== null && response.gate !== undefined && !response.gate.passed && !response.gate.overridden;
        ctx.print(response, () => {
          const head = request.validateOnly
            ? `validate only: ${gateFailed ? 'the gate would refuse' : 'the gate would allow'} ${alias} -> version ${request.version}; nothing changed\n`
            : `${alias} -> version ${request.version}\n`;
          return `${head}${renderGateEvaluation(response.gate)}${request.validateOnly || response.alias === null || response.alias === undefined ? '' : renderAlias(response.alias)}`;
        });
        if (request.validateOnly && gateFailed) {
          const failing = present(response.gate, 'gate evaluation').checks.filter((c) => !c.passed).map((c) => `${c.subject}: ${c.detail}`);
          throw new CliFailure(`the gate of ${alias} would refuse version ${request.version}: ${failing.join('; ')}`, ExitCode.GateFailed);
        }
      }),
    );

  aliases
    .command('rollback')
    .description('return an alias to the version it pointed at before its last move (gates are not re-evaluated)')
    .argument('<model>', 'model name')
    .argument('<alias>', 'alias name')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .option('--expect <version>', 'only if the alias points at this version now; else exit 5')
    .action((model: string, alias: string, options: { expect?: string; reason: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.rollbackAlias(rollbackAliasRequest(model, alias, options));
        ctx.print(response, () => `rolled back ${alias} -> version ${response.alias?.version ?? '?'}\n${renderAlias(present(response.alias, 'alias'))}`);
      }),
    );

  aliases
    .command('list')
    .description("list a model's aliases")
    .argument('<model>', 'model name')
    .action((model: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.listAliases({ modelName: model });
        ctx.print(response, () => renderAliasTable(response.aliases));
      }),
    );

  aliases
    .command('get')
    .description('show one alias: version, previous version, revision, who moved it and why')
    .argument('<model>', 'model name')
    .argument('<alias>', 'alias name')
    .action((model: string, alias: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.getAlias({ modelName: model, alias });
        ctx.print(response, () => renderAlias(present(response.alias, 'alias')));
      }),
    );
}

import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { parseInteger, parseKeyValue } from '../args';
import { type CliDeps, withContext } from '../context';
import { UsageError } from '../errors';
import { renderTrafficPolicy } from '../output/release-views';

/**
 * `production=90 canary=10` and `--shadow shadow[=percent]` -> TrafficPolicy. The registry
 * checks that percentages sum to 100 and that the aliases exist.
 */
export function trafficPolicy(splits: readonly string[], shadow: string | undefined): registryV1.TrafficPolicy {
  if (splits.length === 0) throw new UsageError('give at least one alias=percent, e.g. production=90 canary=10');
  const parsed = splits.map((text) => {
    const [alias, percent] = parseKeyValue(text, 'split');
    return { alias, percent: parseInteger(percent, `split ${alias}`, 0, 100) };
  });
  if (shadow === undefined) return { splits: parsed, shadowAlias: '', shadowPercent: 0 };
  const [shadowAlias, shadowPercent] = shadow.includes('=') ? parseKeyValue(shadow, '--shadow') : [shadow, '100'];
  return { splits: parsed, shadowAlias, shadowPercent: parseInteger(shadowPercent, '--shadow percent', 1, 100) };
}

export function registerTrafficCommands(program: Command, deps: CliDeps): void {
  const traffic = program.command('traffic').description("a model's traffic policy: the canary split and an optional shadow alias");

  traffic
    .command('set')
    .description("replace a model's traffic policy, e.g. `strata traffic set flights production=90 canary=10 --reason ...`")
    .argument('<model>', 'model name')
    .argument('<alias=percent...>', 'share of requests per alias; percentages sum to 100')
    .option('--shadow <alias[=percent]>', 'mirror this share of requests (default 100) to an alias; its answers are only compared')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action((model: string, splits: string[], options: { shadow?: string; reason: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.setTrafficPolicy({ modelName: model, policy: trafficPolicy(splits, options.shadow), reason: options.reason });
        ctx.print(response, () => `traffic of ${model} set at revision ${response.revision}\n${renderTrafficPolicy(response.policy, false)}`);
      }),
    );

  traffic
    .command('get')
    .description("show a model's effective traffic policy (default: 100% production)")
    .argument('<model>', 'model name')
    .action((model: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.getTrafficPolicy({ modelName: model });
        ctx.print(response, () => renderTrafficPolicy(response.policy, response.isDefault));
      }),
    );
}

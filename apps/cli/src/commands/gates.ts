import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { collect, collectList, parseInteger, parseNumber } from '../args';
import { type CliDeps, parseDurationMs, withContext } from '../context';
import { UsageError } from '../errors';
import { renderGatePolicy } from '../output/release-views';

/** Options of `gates set`. */
export interface GateOptions {
  metric?: string[];
  maxRegression?: string[];
  lowerIsBetter?: string[];
  requireEvidence?: string[];
  requirePriorAlias?: string[];
  minTimeInPriorAlias?: string;
  requiredApprovals?: string;
  allowedRoles?: string[];
  requireFeatureContract?: boolean;
  clear?: boolean;
  reason: string;
}

const METRIC_REF = /^(?:([a-z0-9][a-z0-9._-]{0,62}):)?([A-Za-z0-9_.\-/]+)$/;

/** `[evidence:]metric` -> its parts; evidence empty = the metrics recorded at registration. */
function parseMetricRef(text: string, what: string): { evidence: string; metric: string } {
  const match = METRIC_REF.exec(text.trim());
  if (match === null) throw new UsageError(`${what}: expected [evidence:]metric, got "${text}"`);
  const [, evidence = '', metric = ''] = match;
  return { evidence, metric };
}

/**
 * One `--metric` rule: `auc>=0.7`, `logloss<=0.5`, or from evidence `offline-eval:auc>=0.7`.
 * Only inclusive bounds exist in the contract, so `>`, `<` and `=` are refused.
 */
export function parseMetricBound(text: string): { evidence: string; metric: string; min?: number; max?: number } {
  const match = /^(.+?)\s*(>=|<=|==|=|>|<)\s*(.+)$/.exec(text.trim());
  if (match === null) throw new UsageError(`--metric: expected metric>=number or metric<=number, got "${text}"`);
  const [, name = '', operator = '', bound = ''] = match;
  if (operator !== '>=' && operator !== '<=') throw new UsageError(`--metric "${text}": only >= and <= (inclusive bounds) are supported`);
  const ref = parseMetricRef(name, '--metric');
  const value = parseNumber(bound, `--metric "${text}"`);
  return operator === '>=' ? { ...ref, min: value } : { ...ref, max: value };
}

/** The metric rules of `--metric`, `--max-regression` and `--lower-is-better`, one rule per (evidence, metric). */
export function metricRules(options: Pick<GateOptions, 'metric' | 'maxRegression' | 'lowerIsBetter'>): registryV1.MetricRule[] {
  const rules = new Map<string, registryV1.MetricRule>();
  const ruleFor = (ref: { evidence: string; metric: string }): registryV1.MetricRule => {
    const key = `${ref.evidence}:${ref.metric}`;
    let rule = rules.get(key);
    if (rule === undefined) {
      rule = { metric: ref.metric, evidence: ref.evidence, lowerIsBetter: false };
      rules.set(key, rule);
    }
    return rule;
  };
  for (const text of options.metric ?? []) {
    const bound = parseMetricBound(text);
    const rule = ruleFor(bound);
    for (const side of ['min', 'max'] as const) {
      if (bound[side] === undefined) continue;
      if (rule[side] !== undefined) throw new UsageError(`--metric: two ${side === 'min' ? '>=' : '<='} bounds for ${bound.metric}`);
      rule[side] = bound[side];
    }
  }
  for (const text of options.maxRegression ?? []) {
    const at = text.lastIndexOf('=');
    if (at <= 0) throw new UsageError(`--max-regression: expected [evidence:]metric=amount, got "${text}"`);
    const rule = ruleFor(parseMetricRef(text.slice(0, at), '--max-regression'));
    const amount = parseNumber(text.slice(at + 1), `--max-regression "${text}"`);
    if (amount < 0) throw new UsageError(`--max-regression "${text}": the amount cannot be negative`);
    rule.maxRegression = amount;
  }
  for (const text of options.lowerIsBetter ?? []) {
    const ref = parseMetricRef(text, '--lower-is-better');
    const rule = rules.get(`${ref.evidence}:${ref.metric}`);
    if (rule?.maxRegression === undefined) throw new UsageError(`--lower-is-better ${text}: only applies to a metric with --max-regression`);
    rule.lowerIsBetter = true;
  }
  return [...rules.values()];
}

/** `gates set` options -> GatePolicy. With --clear (and no rules) the policy is empty: the gate is removed. */
export function gatePolicy(options: GateOptions): registryV1.GatePolicy {
  const minTimeMs = options.minTimeInPriorAlias === undefined ? undefined : parseDurationMs(options.minTimeInPriorAlias, '--min-time-in-prior-alias');
  const policy: registryV1.GatePolicy = {
    metricRules: metricRules(options),
    requiredEvidence: options.requireEvidence ?? [],
    requiredPriorAliases: options.requirePriorAlias ?? [],
    minTimeInPriorAlias: minTimeMs === undefined ? null : { seconds: String(Math.floor(minTimeMs / 1000)), nanos: (minTimeMs % 1000) * 1e6 },
    requireFeatureContractServed: options.requireFeatureContract === true,
    allowedRoles: options.allowedRoles ?? [],
    requiredApprovals: options.requiredApprovals === undefined ? 0 : parseInteger(options.requiredApprovals, '--required-approvals', 0, 100),
  };
  const empty =
    policy.metricRules.length === 0 &&
    policy.requiredEvidence.length === 0 &&
    policy.requiredPriorAliases.length === 0 &&
    policy.minTimeInPriorAlias === null &&
    !policy.requireFeatureContractServed &&
    policy.allowedRoles.length === 0 &&
    policy.requiredApprovals === 0;
  if (options.clear === true && !empty) throw new UsageError('--clear removes the gate; it cannot be combined with rules');
  if (options.clear !== true && empty) throw new UsageError('no rules given: pass --metric, --require-evidence, ... or --clear to remove the gate');
  return policy;
}

export function registerGateCommands(program: Command, deps: CliDeps): void {
  const gates = program.command('gates').description("promotion gates: the rules a version must pass before an alias may point at it");

  gates
    .command('set')
    .description("replace the gate policy of an alias (admin)")
    .argument('<model>', 'model name')
    .argument('<alias>', 'the alias the gate guards, e.g. production (need not exist yet)')
    .option('--metric <rule>', "a bound: 'auc>=0.7', 'logloss<=0.5', from evidence 'offline-eval:auc>=0.7' (repeatable)", collect)
    .option('--max-regression <metric=amount>', "at most this much worse than the alias's current version, e.g. auc=0.01 (repeatable)", collect)
    .option('--lower-is-better <metric>', 'for --max-regression: lower values are better (losses, error rates) (repeatable)', collect)
    .option('--require-evidence <name>', 'evidence that must be attached and passed (repeatable, or comma-separated)', collectList)
    .option('--require-prior-alias <alias>', 'an alias that must have pointed at the version before, e.g. canary (repeatable)', collectList)
    .option('--min-time-in-prior-alias <duration>', 'how long the version must have held each prior alias, e.g. 24h')
    .option('--required-approvals <n>', 'approvals (`versions approve`) the version needs for this alias')
    .option('--allowed-roles <roles>', 'roles that may move this alias, e.g. admin (repeatable, or comma-separated)', collectList)
    .option('--require-feature-contract', "the version's feature contracts must be served by feature-service")
    .option('--clear', 'remove the gate (an empty policy)')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action((model: string, alias: string, options: GateOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.setGatePolicy({ modelName: model, alias, policy: gatePolicy(options), reason: options.reason });
        ctx.print(response, () => `gate of ${model} ${alias} set\n${renderGatePolicy(response.policy)}`);
      }),
    );

  gates
    .command('get')
    .description('show the gate policy of an alias')
    .argument('<model>', 'model name')
    .argument('<alias>', 'alias name')
    .action((model: string, alias: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.getGatePolicy({ modelName: model, alias });
        ctx.print(response, () => renderGatePolicy(response.policy));
      }),
    );
}

// `strata features get` and `strata features stats`: served feature values
// (GetOnlineFeatures) and statistics over the online store (GetFeatureStats).
import type { featuresV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { collect } from '../args';
import { type CliDeps, withContext } from '../context';
import { featureJson, renderFeatureStats, renderOnlineFeatures } from '../output/feature-views';
import { parseFeatureSetRef, parseInstant } from './feature-args';

/** Options of `features get`. */
export interface FeatureGetOptions {
  asOf?: string;
  feature?: string[];
}

/** `features get` arguments -> GetOnlineFeaturesRequest. */
export function onlineFeaturesRequest(featureSet: string, entityIds: readonly string[], options: FeatureGetOptions): featuresV1.GetOnlineFeaturesRequest {
  return {
    featureSet: parseFeatureSetRef(featureSet, false),
    entityIds: [...entityIds],
    asOf: options.asOf === undefined ? null : parseInstant(options.asOf, '--as-of'),
    maxStaleness: null,
    features: options.feature ?? [],
  };
}

export function registerFeatureCommands(program: Command, deps: CliDeps): void {
  const features = program.command('features').description('served feature values and their statistics: get, stats');

  features
    .command('get')
    .description('serve feature values for entities (online store; with --as-of computed from the offline store)')
    .argument('<feature_set:version>', 'feature set version, e.g. airport_delay_stats:1')
    .argument('<entity_id...>', 'entity IDs (composite keys joined with |, e.g. "LAS|PHL")')
    .option('--as-of <time>', 'evaluate as of this past time, ISO (default: the online values, as of the end of the latest materialization)')
    .option('--feature <name>', 'only this feature (repeatable; default: all)', collect)
    .addHelpText(
      'after',
      '\nEvery entity and feature is answered with a status: PRESENT, MISSING, STALE or DEFAULTED.\nMissing data is shown as null with its reason, never as a silent zero.\nWithout --as-of the values are those of the online store, evaluated at the end of the latest\nmaterialization (the "as of" line says when); STALE is judged against the time of the call.',
    )
    .action((featureSet: string, entityIds: string[], options: FeatureGetOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.features.getOnlineFeatures(onlineFeaturesRequest(featureSet, entityIds, options));
        ctx.print(featureJson(response), () => renderOnlineFeatures(response));
      }),
    );

  features
    .command('stats')
    .description('per feature null rate, min/max/mean and freshness lag over the online values')
    .argument('<feature_set[:version]>', 'feature set, e.g. airport_delay_stats:1 (default: the latest version)')
    .action((featureSet: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.features.getFeatureStats({ featureSet: parseFeatureSetRef(featureSet, true) });
        ctx.print(featureJson(response), () => renderFeatureStats(response));
      }),
    );
}

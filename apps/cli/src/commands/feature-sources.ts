// `strata sources` and `strata feature-sets`: apply, get and list the definitions of the
// feature store (ApplySource, GetSource, ListSources, ApplyFeatureSet, GetFeatureSet,
// ListFeatureSets).
import type { featuresV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { parseVersion } from '../args';
import { type CliDeps, withContext } from '../context';
import { answered, readPages } from '../feature-client';
import { featureJson, renderFeatureSet, renderFeatureSetTable, renderSource, renderSourceTable } from '../output/feature-views';
import { parseFeatureSetRef, parseLimit, readSpecFile } from './feature-args';

/** Options of `feature-sets list`. */
export interface FeatureSetListOptions {
  name?: string;
  owner?: string;
  latest?: boolean;
  limit?: string;
}

/** `feature-sets list` options -> ListFeatureSetsRequest (without paging). */
export function listFeatureSetsRequest(options: FeatureSetListOptions): Omit<featuresV1.ListFeatureSetsRequest, 'page'> {
  return { name: options.name ?? '', owner: options.owner ?? '', latestOnly: options.latest === true };
}

export function registerSourceCommands(program: Command, deps: CliDeps): void {
  const sources = program.command('sources').description('feature store event sources: apply, get, list');

  sources
    .command('apply')
    .description('create or update an event source from its spec (idempotent: an identical spec changes nothing)')
    .argument('<file.json>', 'the source spec, e.g. examples/flights/flights.source.json')
    .action((file: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const spec = readSpecFile(file, 'sources apply') as unknown as featuresV1.SourceSpec;
        const response = await ctx.features.applySource({ spec });
        const source = answered(response.source, 'source');
        ctx.print(featureJson(response), () => {
          const verdict = response.changed ? `applied ${source.spec?.name ?? ''} version ${source.version}` : `unchanged: ${source.spec?.name ?? ''} version ${source.version} has this spec already`;
          return `${verdict}\n${renderSource(source)}`;
        });
      }),
    );

  sources
    .command('get')
    .description('show a source version: key, event time, typed fields and constraints')
    .argument('<name>', 'source name')
    .option('--version <n>', 'source version (default: the latest)')
    .action((name: string, options: { version?: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const version = options.version === undefined ? 0 : parseVersion(options.version, '--version');
        const response = await ctx.features.getSource({ name, version });
        ctx.print(featureJson(response), () => renderSource(answered(response.source, 'source')));
      }),
    );

  sources
    .command('list')
    .description('list sources (latest version of each), ordered by name')
    .option('--limit <n>', 'at most this many sources (default: all)')
    .action((options: { limit?: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const limit = parseLimit(options.limit, Infinity);
        const list = await readPages(async (page) => {
          const response = await ctx.features.listSources({ page });
          return { items: response.sources, nextPageToken: response.page?.nextPageToken ?? '' };
        }, limit);
        ctx.print(featureJson({ sources: list }), () => renderSourceTable(list));
      }),
    );
}

export function registerFeatureSetCommands(program: Command, deps: CliDeps): void {
  const sets = program.command('feature-sets').description('versioned feature set contracts: apply, get, list');

  sets
    .command('apply')
    .description('register immutable feature set versions (idempotent for identical content; a change needs a new version)')
    .argument('<file.json...>', 'feature set specs, e.g. examples/flights/airport_delay_stats.v1.json')
    .action((files: string[], _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        // Read every file before applying any, so a typo in the last one applies nothing.
        const specs = files.map((file) => readSpecFile(file, 'feature-sets apply') as unknown as featuresV1.FeatureSetSpec);
        const applied: featuresV1.ApplyFeatureSetResponse[] = [];
        for (const spec of specs) applied.push(await ctx.features.applyFeatureSet({ spec }));
        ctx.print(featureJson({ applied }), () =>
          applied
            .map((response) => {
              const set = answered(response.featureSet, 'feature set');
              const ref = `${set.spec?.name ?? ''}:${set.spec?.version ?? ''}`;
              return `${response.created ? `created ${ref}` : `exists already (identical): ${ref}`}  contract ${set.contractDigest}\n`;
            })
            .join(''),
        );
      }),
    );

  sets
    .command('get')
    .description('show a feature set version: entity, source, features and contract digest')
    .argument('<name[:version]>', 'feature set, e.g. airport_delay_stats:1 (default: the latest version)')
    .action((text: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.features.getFeatureSet({ featureSet: parseFeatureSetRef(text, true) });
        ctx.print(featureJson(response), () => renderFeatureSet(answered(response.featureSet, 'feature set')));
      }),
    );

  sets
    .command('list')
    .description('list feature set versions, by name then newest version first')
    .option('--name <name>', 'only versions of this feature set')
    .option('--owner <owner>', 'only feature sets of this owner')
    .option('--latest', 'only the latest version of each feature set')
    .option('--limit <n>', 'at most this many versions (default: all)')
    .action((options: FeatureSetListOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const limit = parseLimit(options.limit, Infinity);
        const request = listFeatureSetsRequest(options);
        const list = await readPages(async (page) => {
          const response = await ctx.features.listFeatureSets({ ...request, page });
          return { items: response.featureSets, nextPageToken: response.page?.nextPageToken ?? '' };
        }, limit);
        ctx.print(featureJson({ featureSets: list }), () => renderFeatureSetTable(list));
      }),
    );
}

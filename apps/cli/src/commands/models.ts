import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { collect, parseInteger, parseTags } from '../args';
import { type CliDeps, withContext } from '../context';
import { present } from '../errors';
import { renderModel, renderModelTable } from '../output/model-views';
import { PAGE_SIZE } from '../registry-client';

interface CreateOptions {
  description?: string;
  owner?: string;
  tag?: string[];
}

/** `models create` options -> CreateModelRequest. */
export function createModelRequest(name: string, options: CreateOptions): registryV1.CreateModelRequest {
  return { name, description: options.description ?? '', owner: options.owner ?? '', tags: parseTags(options.tag) };
}

/** Reads every page of ListModels (up to `limit` models). */
export async function listAllModels(
  list: (request: registryV1.ListModelsRequest) => Promise<registryV1.ListModelsResponse>,
  filter: { tag: string; owner: string },
  limit = Infinity,
): Promise<registryV1.Model[]> {
  const models: registryV1.Model[] = [];
  let pageToken = '';
  do {
    const pageSize = Math.min(PAGE_SIZE, limit - models.length);
    const response = await list({ ...filter, page: { pageSize, pageToken } });
    models.push(...response.models);
    pageToken = response.page?.nextPageToken ?? '';
  } while (pageToken !== '' && models.length < limit);
  return models.slice(0, limit);
}

export function registerModelCommands(program: Command, deps: CliDeps): void {
  const models = program.command('models').description('registered models: create, list, get');

  models
    .command('create')
    .description('create a registered model (idempotent: an existing model is returned unchanged)')
    .argument('<name>', 'model name, ^[a-z0-9][a-z0-9_-]{0,62}$')
    .option('--description <text>', 'what the model predicts')
    .option('--owner <owner>', 'owning team or person')
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .action((name: string, options: CreateOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.createModel(createModelRequest(name, options));
        ctx.print(response, () => `${response.created ? 'created' : 'exists already (unchanged)'}\n${renderModel(present(response.model, 'model'))}`);
      }),
    );

  models
    .command('list')
    .description('list registered models, ordered by name')
    .option('--tag <key[=value]>', 'only models with this tag (or tag value)')
    .option('--owner <owner>', 'only models of this owner')
    .option('--limit <n>', 'at most this many models (default: all)')
    .action((options: { tag?: string; owner?: string; limit?: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const limit = options.limit === undefined ? Infinity : parseInteger(options.limit, '--limit', 1);
        const list = await listAllModels((request) => ctx.registry.listModels(request), { tag: options.tag ?? '', owner: options.owner ?? '' }, limit);
        ctx.print({ models: list }, () => renderModelTable(list));
      }),
    );

  models
    .command('get')
    .description('show a registered model with its aliases')
    .argument('<name>', 'model name')
    .action((name: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.getModel({ name });
        ctx.print(response, () => renderModel(present(response.model, 'model')));
      }),
    );
}

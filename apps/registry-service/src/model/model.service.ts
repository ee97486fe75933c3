import { Inject, Injectable } from '@nestjs/common';
import { type FieldViolation, InvalidArgumentError, LOGGER, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { Caller } from '../auth/caller';
import type { Model, ModelFilter, ModelKey, NewModel } from './model';
import { modelNotFound } from './model.errors';
import { ModelRepository } from './model.repository';
import { modelNameViolation } from './model-name';

const byName = new PageTokens<string>((value): value is string => typeof value === 'string');

/** Registered models: idempotent creation by name, reads and listing. */
@Injectable()
export class ModelService {
  constructor(
    private readonly models: ModelRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Creates the model, or returns the existing one of that name unchanged (created = false). */
  async create(input: NewModel, caller: Caller): Promise<{ model: Model; created: boolean }> {
    const violations = [modelNameViolation('name', input.name), ...tagViolations('tags', input.tags)].filter((v): v is FieldViolation => v !== undefined);
    if (violations.length > 0) throw InvalidArgumentError.listing('invalid CreateModel request', violations);
    const result = await this.models.createIfAbsent(input, (model) => ({
      caller,
      action: 'model_created',
      modelName: model.name,
      after: { name: model.name, description: model.description, owner: model.owner, tags: model.tags },
    }));
    if (result.created) this.logger.info({ model: input.name, actor: caller.subject }, `created model=${input.name} owner=${input.owner || '-'}`);
    return result;
  }

  /** The model with its latest version and aliases; NOT_FOUND when there is none. */
  async get(name: string): Promise<Model> {
    if (name === '') throw new InvalidArgumentError('model name is required', [{ field: 'name', description: 'required' }]);
    const model = await this.models.findByName(name);
    if (model === undefined) throw modelNotFound(name);
    return model;
  }

  /** The identity of a model other domains work under; NOT_FOUND when there is none. */
  async require(name: string, field = 'model_name'): Promise<ModelKey> {
    if (name === '') throw new InvalidArgumentError(`${field} is required`, [{ field, description: 'required' }]);
    const model = await this.models.findKeyByName(name);
    if (model === undefined) throw modelNotFound(name);
    return model;
  }

  /** Models matching the filter, ordered by name, one page at a time. */
  async list(filter: ModelFilter, page: PageRequest): Promise<Page<Model>> {
    const pageSize = pageSizeOf(page);
    const after = byName.decode(page.pageToken, filter);
    const rows = await this.models.list(filter, after, pageSize + 1);
    return pageOf(rows, pageSize, (model) => model.name, byName, filter);
  }
}

function tagViolations(field: string, tags: Readonly<Record<string, string>>): FieldViolation[] {
  return Object.keys(tags)
    .filter((key) => key.trim() === '')
    .map(() => ({ field, description: 'tag keys must not be empty' }));
}

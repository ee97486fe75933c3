import { Injectable } from '@nestjs/common';
import { aliasNotFound } from '../model-version/model-version.errors';
import { RegisteredModelRepository } from '../release/registered-model.repository';
import { RequestCheck, requireModel } from '../release/request-checks';
import type { AliasState } from './alias';
import { AliasRepository } from './alias.repository';

/** Reads aliases: GetAlias and ListAliases. */
@Injectable()
export class AliasService {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly aliases: AliasRepository,
  ) {}

  async get(modelName: string, alias: string): Promise<AliasState> {
    new RequestCheck().alias('alias', alias).orThrow('GetAlias request');
    const model = await requireModel(this.models, modelName);
    const state = await this.aliases.find(model.id, alias);
    if (state === undefined) throw aliasNotFound(model.name, alias);
    return state;
  }

  /** A model's aliases, ordered by name. */
  async list(modelName: string): Promise<AliasState[]> {
    const model = await requireModel(this.models, modelName);
    return this.aliases.list({ modelId: model.id });
  }
}

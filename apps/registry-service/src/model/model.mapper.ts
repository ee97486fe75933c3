import type { registryV1 } from '@strata/contracts';
import { toTimestamp } from '@strata/service-runtime';
import { InvalidArgumentError, type PageRequest } from '@strata/service-runtime';
import type { Model, ModelFilter, NewModel } from './model';

/** Paging of a request; an unset PageRequest is the first page at the default size. */
export function pageRequestOf(page: { pageSize: number; pageToken: string } | null | undefined): PageRequest {
  return { pageSize: page?.pageSize ?? 0, pageToken: page?.pageToken ?? '' };
}

export function newModelOf(request: registryV1.CreateModelRequest): NewModel {
  return { name: request.name, description: request.description, owner: request.owner, tags: { ...request.tags } };
}

/** ListModels filters: `tag` is `key` (present) or `key=value`; empty strings do not filter. */
export function modelFilterOf(request: registryV1.ListModelsRequest): ModelFilter {
  let tag: ModelFilter['tag'];
  if (request.tag !== '') {
    const separator = request.tag.indexOf('=');
    const key = separator === -1 ? request.tag : request.tag.slice(0, separator);
    if (key === '') throw InvalidArgumentError.listing('invalid ListModels request', [{ field: 'tag', description: `expected "key" or "key=value" with a non-empty key, got "${request.tag}"` }]);
    tag = separator === -1 ? { key } : { key, value: request.tag.slice(separator + 1) };
  }
  return { ...(tag === undefined ? {} : { tag }), ...(request.owner === '' ? {} : { owner: request.owner }) };
}

export function toModelMessage(model: Model): registryV1.Model {
  return {
    name: model.name,
    description: model.description,
    owner: model.owner,
    tags: { ...model.tags },
    createdAt: toTimestamp(model.createdAt),
    latestVersion: model.latestVersion,
    aliases: { ...model.aliases },
  };
}

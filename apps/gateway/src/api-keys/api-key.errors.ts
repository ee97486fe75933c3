import { AlreadyExistsError, NotFoundError } from '@strata/service-runtime';

/** NOT_FOUND for a key ID. */
export function apiKeyNotFound(id: string): NotFoundError {
  return new NotFoundError(`API key "${id}" not found (ListApiKeys with include_inactive shows every key)`);
}

/** ALREADY_EXISTS for a name held by an active key. */
export function apiKeyNameTaken(name: string): AlreadyExistsError {
  return new AlreadyExistsError(`an active API key named "${name}" exists; revoke it first or choose another name`);
}

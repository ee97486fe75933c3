import { NotFoundError } from '@strata/service-runtime';

/** NOT_FOUND for a model name. */
export function modelNotFound(name: string): NotFoundError {
  return new NotFoundError(`model "${name}" not found (create it with CreateModel first)`);
}

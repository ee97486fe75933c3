import { NotFoundError } from '@strata/service-runtime';

/** NOT_FOUND for a source name, or one version of it (version 0 = the latest). */
export function sourceNotFound(name: string, version = 0): NotFoundError {
  return version === 0
    ? new NotFoundError(`source "${name}" not found (apply it with ApplySource first)`)
    : new NotFoundError(`source "${name}" has no version ${version}`);
}

import { InvalidArgumentError } from '@strata/service-runtime';
import path from 'node:path';

/** `requested` resolved inside `root`; INVALID_ARGUMENT (field `path`) for an empty path or one that escapes the root. */
export function resolveImportPath(root: string, requested: string): string {
  if (requested.trim() === '') throw new InvalidArgumentError('path is required', [{ field: 'path', description: 'required: a file path relative to the import root' }]);
  const base = path.resolve(root);
  const resolved = path.resolve(base, requested);
  const relative = path.relative(base, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new InvalidArgumentError(`path ${requested} is outside the import root`, [{ field: 'path', description: 'must name a file inside the import root (no .. escapes)' }]);
  }
  return resolved;
}

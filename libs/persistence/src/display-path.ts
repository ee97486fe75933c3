import { relative } from 'node:path';

/** A path as people want to read it in a message: relative to the working directory when below it. */
export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd && !fromCwd.startsWith('..') ? fromCwd : path;
}

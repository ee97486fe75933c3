// Parsing of command-line values into request fields. Every bad value is a UsageError
// (exit code 2) that names the option and quotes what was given.
import type { commonV1 } from '@strata/contracts';
import { UsageError } from './errors';

/** Commander collector for repeatable options: `--tag a=1 --tag b=2` -> ['a=1', 'b=2']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Commander collector for repeatable, comma-separated options: `--x a,b --x c` -> ['a', 'b', 'c']. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}

/** `key=value` -> ['key', 'value'] (the value may contain `=`). */
export function parseKeyValue(text: string, what: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`${what}: expected key=value, got "${text}"`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** Repeated `--tag k=v` values as a map; a key given twice is a usage error. */
export function parseTags(values: readonly string[] | undefined, what = '--tag'): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const text of values ?? []) {
    const [key, value] = parseKeyValue(text, what);
    if (key in tags) throw new UsageError(`${what}: "${key}" given twice`);
    tags[key] = value;
  }
  return tags;
}

/** A finite decimal number. */
export function parseNumber(text: string, what: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${what}: expected a number, got "${text}"`);
  return value;
}

/** An integer within [min, max]. */
export function parseInteger(text: string, what: string, min = 0, max = 2 ** 31 - 1): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${what}: expected a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${what}: must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A version number (>= 1). */
export function parseVersion(text: string, what = 'version'): number {
  return parseInteger(text, what, 1);
}

/**
 * `3` (a version number) or `@production` (an alias) as a common.v1.ModelRef of `model`.
 * A bare alias name (`production`) is accepted too: aliases start with a letter.
 */
export function parseModelRef(model: string, text: string): commonV1.ModelRef {
  if (/^\d+$/.test(text)) return { name: model, version: parseVersion(text) };
  const alias = text.startsWith('@') ? text.slice(1) : text;
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(alias)) throw new UsageError(`expected a version number or @alias, got "${text}"`);
  return { name: model, alias };
}

/** Reads all of stdin as text. */
export async function readAll(input: AsyncIterable<Buffer | string>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of input) parts.push(typeof part === 'string' ? Buffer.from(part) : part);
  return Buffer.concat(parts).toString('utf8');
}

import { z } from 'zod';

/** The kinds of value an environment variable can hold. */
export type EnvVarKind = 'string' | 'int' | 'port' | 'url' | 'boolean' | 'enum' | 'duration';

/**
 * One environment variable of a config schema: how its text is parsed (a zod schema from
 * string to `T`), what it means, its default and whether its value is a secret.
 * Build it with the {@link env} helpers, never by hand.
 */
export interface EnvVar<T> {
  readonly kind: EnvVarKind;
  /** What the variable means, for docs and `--help`. */
  readonly description: string;
  /** Used when the variable is unset or empty. */
  readonly defaultValue: T | undefined;
  /** `true` when the variable may stay unset (its value is then `undefined`). */
  readonly optional: boolean;
  /** `true` for secrets: their values never appear in errors, docs or logs. */
  readonly sensitive: boolean;
  /** What a valid value looks like, completing "expected ..." in error messages. */
  readonly expected: string;
  /** Parses the raw text of the variable. */
  readonly schema: z.ZodType<T, string>;
}

/** Options every variable kind accepts. */
export interface EnvVarOptions<T> {
  description: string;
  default?: T;
  /** Allows the variable to stay unset; ignored when a default is given. */
  optional?: boolean;
  sensitive?: boolean;
}

/** The value type a variable yields: `T`, or `T | undefined` when optional without default. */
export type EnvVarValue<T, O> = O extends { default: T } ? T : O extends { optional: true } ? T | undefined : T;

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const INTEGER_PATTERN = /^[-+]?\d+$/;
const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };

function makeVar<T, O extends EnvVarOptions<T>>(kind: EnvVarKind, expected: string, schema: z.ZodType<T, string>, options: O): EnvVar<EnvVarValue<T, O>> {
  return {
    kind,
    expected,
    schema,
    description: options.description,
    defaultValue: options.default,
    optional: options.optional === true && options.default === undefined,
    sensitive: options.sensitive === true,
  } as EnvVar<EnvVarValue<T, O>>;
}

function integerSchema(min: number, max: number): z.ZodType<number, string> {
  return z.string().trim().regex(INTEGER_PATTERN).transform(Number).pipe(z.number().int().min(min).max(max));
}

function integerExpectation(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `expected an integer ${min}-${max}`;
  if (min !== undefined) return `expected an integer >= ${min}`;
  if (max !== undefined) return `expected an integer <= ${max}`;
  return 'expected an integer';
}

/** Parses `250ms`, `30s`, `5m`, `1h`, `2d` (or `0`) into milliseconds; `undefined` when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = DURATION_PATTERN.exec(trimmed);
  if (!match) return undefined;
  const [, amount, unit] = match as unknown as [string, string, keyof typeof DURATION_UNITS_MS];
  return Math.round(Number(amount) * DURATION_UNITS_MS[unit]);
}

function isUrlWithProtocol(text: string, protocols: readonly string[] | undefined): boolean {
  if (!URL.canParse(text)) return false;
  const protocol = new URL(text).protocol.replace(/:$/, '');
  return protocols === undefined || protocols.includes(protocol);
}

/**
 * Builders for the variables of a config schema. Each parses the variable's text with zod
 * and knows how to explain a bad value in one line.
 *
 * @example
 * const schema = {
 *   GRPC_PORT: env.port({ default: 50051, description: 'Port the gRPC server listens on' }),
 *   DATABASE_URL: env.url({ optional: true, sensitive: true, protocols: ['postgres', 'postgresql'], description: 'PostgreSQL URL; PGlite when unset' }),
 *   LOG_LEVEL: env.enum(['debug', 'info', 'warn', 'error'], { default: 'info', description: 'Lowest log level written' }),
 * };
 */
export const env = {
  /** Any text (empty counts as unset); `pattern` restricts it. */
  string<const O extends EnvVarOptions<string> & { pattern?: RegExp }>(options: O) {
    const schema = options.pattern ? z.string().regex(options.pattern) : z.string();
    const expected = options.pattern ? `expected text matching ${String(options.pattern)}` : 'expected text';
    return makeVar('string', expected, schema, options);
  },
  /** A whole number, optionally bounded by `min` / `max` (inclusive). */
  int<const O extends EnvVarOptions<number> & { min?: number; max?: number }>(options: O) {
    const schema = integerSchema(options.min ?? Number.MIN_SAFE_INTEGER, options.max ?? Number.MAX_SAFE_INTEGER);
    return makeVar('int', integerExpectation(options.min, options.max), schema, options);
  },
  /** A TCP port, 1-65535. */
  port<const O extends EnvVarOptions<number>>(options: O) {
    return makeVar('port', 'expected a port 1-65535', integerSchema(1, 65_535), options);
  },
  /** An absolute URL, kept as text; `protocols` (without `:`) restricts its scheme. */
  url<const O extends EnvVarOptions<string> & { protocols?: readonly string[] }>(options: O) {
    const schema = z.string().trim().refine((text) => isUrlWithProtocol(text, options.protocols));
    const expected = options.protocols ? `expected a URL (${options.protocols.join(', ')})` : 'expected a URL';
    return makeVar('url', expected, schema, options);
  },
  /** true/false, 1/0, yes/no, on/off (any case). */
  boolean<const O extends EnvVarOptions<boolean>>(options: O) {
    const schema = z
      .string()
      .trim()
      .toLowerCase()
      .refine((word) => word in BOOLEAN_WORDS)
      .transform((word) => BOOLEAN_WORDS[word] === true);
    return makeVar('boolean', 'expected a boolean (true/false, 1/0, yes/no, on/off)', schema, options);
  },
  /** One of a fixed list of words. */
  enum<const V extends readonly [string, ...string[]], const O extends EnvVarOptions<V[number]>>(values: V, options: O) {
    const schema = z.string().trim().pipe(z.enum(values)) as unknown as z.ZodType<V[number], string>;
    return makeVar('enum', `expected one of ${values.join('|')}`, schema, options);
  },
  /** A duration such as `250ms`, `30s`, `5m`, `1h`, `2d`, yielding milliseconds. The default is in milliseconds. */
  duration<const O extends EnvVarOptions<number>>(options: O) {
    const schema = z
      .string()
      .refine((text) => parseDurationMs(text) !== undefined)
      .transform((text) => parseDurationMs(text) ?? 0);
    return makeVar('duration', 'expected a duration like 250ms, 30s, 5m, 1h', schema, options);
  },
};

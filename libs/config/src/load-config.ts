import type { EnvVar, EnvVarKind } from './env-var';

/** A config schema: SCREAMING_CASE variable names to their {@link EnvVar} definitions. */
export type ConfigSchema = Record<string, EnvVar<unknown>>;

/** `GRPC_PORT` → `grpcPort`, at the type level. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}` : Lowercase<S>;

/** The typed, camelCase config object a schema yields. */
export type ConfigOf<S extends ConfigSchema> = { readonly [K in keyof S & string as CamelCase<K>]: S[K] extends EnvVar<infer T> ? T : never };

/** One variable that failed validation. */
export interface ConfigIssue {
  readonly variable: string;
  /** One line, e.g. `GRPC_PORT: expected a port 1-65535, got "abc"`; never holds a sensitive value. */
  readonly message: string;
}

/** Thrown by {@link loadConfig}: one line per bad variable, secrets never shown. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(['invalid configuration:', ...issues.map((issue) => `  ${issue.message}`)].join('\n'));
  }
}

/** A variable as documented by {@link describeConfig}. */
export interface ConfigVariableDoc {
  readonly name: string;
  readonly key: string;
  readonly kind: EnvVarKind;
  readonly description: string;
  readonly required: boolean;
  readonly sensitive: boolean;
  /** The default, shown as text; `undefined` when there is none or the variable is sensitive. */
  readonly defaultValue: string | undefined;
}

const VARIABLE_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
const SHOWN_VALUE_MAX_LENGTH = 60;

/** Converts a SCREAMING_CASE variable name to its camelCase config key. */
export function toCamelCase(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** Identity function that checks the names of a schema and keeps its precise type. */
export function defineConfig<S extends ConfigSchema>(schema: S): S {
  const badNames = Object.keys(schema).filter((name) => !VARIABLE_NAME.test(name));
  if (badNames.length > 0) throw new Error(`config variable names must be SCREAMING_CASE: ${badNames.join(', ')}`);
  return schema;
}

/**
 * Reads and validates every variable of `schema` from `env` once, at start-up.
 * Unset and empty variables take their default. Returns a frozen camelCase object, or throws
 * a {@link ConfigError} listing every bad variable (not just the first).
 */
export function loadConfig<S extends ConfigSchema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  defineConfig(schema);
  const values: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [name, variable] of Object.entries(schema)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      if (variable.defaultValue === undefined && !variable.optional) {
        issues.push({ variable: name, message: `${name}: required, not set (${variable.description})` });
      }
      values[toCamelCase(name)] = variable.defaultValue;
      continue;
    }
    const parsed = variable.schema.safeParse(raw);
    if (parsed.success) {
      values[toCamelCase(name)] = parsed.data;
    } else {
      issues.push({ variable: name, message: `${name}: ${variable.expected}, got ${showValue(raw, variable.sensitive)}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze(values) as ConfigOf<S>;
}

/** Documents a schema (for `--help`, READMEs and Helm values), never showing sensitive defaults. */
export function describeConfig(schema: ConfigSchema): ConfigVariableDoc[] {
  return Object.entries(schema).map(([name, variable]) => ({
    name,
    key: toCamelCase(name),
    kind: variable.kind,
    description: variable.description,
    required: variable.defaultValue === undefined && !variable.optional,
    sensitive: variable.sensitive,
    defaultValue: variable.sensitive || variable.defaultValue === undefined ? undefined : String(variable.defaultValue),
  }));
}

/** Renders {@link describeConfig} as aligned text lines, one per variable. */
export function formatConfigHelp(schema: ConfigSchema): string {
  const docs = describeConfig(schema);
  const width = Math.max(0, ...docs.map((doc) => doc.name.length));
  return docs
    .map((doc) => {
      const notes = [doc.kind, doc.required ? 'required' : undefined, doc.defaultValue === undefined ? undefined : `default ${doc.defaultValue}`, doc.sensitive ? 'sensitive' : undefined];
      return `${doc.name.padEnd(width)}  ${doc.description} (${notes.filter(Boolean).join(', ')})`;
    })
    .join('\n');
}

/**
 * A copy of a loaded config that is safe to log: sensitive values that are set become
 * `"[redacted]"`.
 */
export function redactConfig<S extends ConfigSchema>(schema: S, config: ConfigOf<S>): Record<string, unknown> {
  const safe: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const [name, variable] of Object.entries(schema)) {
    const key = toCamelCase(name);
    if (variable.sensitive && safe[key] !== undefined) safe[key] = '[redacted]';
  }
  return safe;
}

function showValue(raw: string, sensitive: boolean): string {
  if (sensitive) return 'a value that is not shown (sensitive)';
  const shown = raw.length > SHOWN_VALUE_MAX_LENGTH ? `${raw.slice(0, SHOWN_VALUE_MAX_LENGTH)}…` : raw;
  return JSON.stringify(shown);
}

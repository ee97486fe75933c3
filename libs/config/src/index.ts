export { env, parseDurationMs, type EnvVar, type EnvVarKind, type EnvVarOptions, type EnvVarValue } from './env-var';
export {
  ConfigError,
  defineConfig,
  describeConfig,
  formatConfigHelp,
  loadConfig,
  redactConfig,
  toCamelCase,
  type CamelCase,
  type ConfigIssue,
  type ConfigOf,
  type ConfigSchema,
  type ConfigVariableDoc,
} from './load-config';

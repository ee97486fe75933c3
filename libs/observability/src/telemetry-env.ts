import { defineConfig, env, loadConfig } from '@strata/config';

/** The environment variables `@strata/observability/register` reads. */
export const telemetryEnvSchema = defineConfig({
  OTEL_SERVICE_NAME: env.string({ optional: true, description: 'service.name of spans; wins over every other source' }),
  STRATA_SERVICE_NAME: env.string({ optional: true, description: 'Strata service name, used when OTEL_SERVICE_NAME is unset' }),
  STRATA_VERSION: env.string({ optional: true, description: 'Release of the service, reported as service.version' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url({ optional: true, protocols: ['http', 'https'], description: 'OTLP/HTTP collector base URL; spans are exported only when this (or the traces endpoint) is set' }),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: env.url({ optional: true, protocols: ['http', 'https'], description: 'Full OTLP/HTTP traces URL, overrides the base endpoint for traces' }),
});

/** Telemetry settings read from the environment. */
export interface TelemetryEnvironment {
  readonly serviceName: string;
  readonly serviceVersion: string | undefined;
  /** `true` when an OTLP endpoint is configured. */
  readonly exportToOtlp: boolean;
}

const SERVICE_DIRECTORY = /[/\\](?:apps|dist)[/\\]([a-z0-9][a-z0-9-]*)[/\\]/;

/** Fallback service name when neither variable nor entry script path tells it. */
export const UNKNOWN_SERVICE_NAME = 'strata-unknown-service';

/**
 * Derives the service name from an entry script path (`apps/<service>/...` or
 * `dist/<service>/...`), the last match winning (`dist/x/apps/x/src/main.js` → `x`).
 */
export function serviceNameFromEntryPath(entryPath: string | undefined): string | undefined {
  if (entryPath === undefined) return undefined;
  const matches = [...entryPath.matchAll(new RegExp(SERVICE_DIRECTORY, 'g'))];
  return matches.at(-1)?.[1];
}

/**
 * Reads the telemetry environment (throws a `ConfigError` on bad values). The service name
 * comes from `OTEL_SERVICE_NAME`, else `STRATA_SERVICE_NAME`, else the entry script path.
 */
export function readTelemetryEnvironment(processEnv: NodeJS.ProcessEnv = process.env, entryPath: string | undefined = process.argv[1]): TelemetryEnvironment {
  const config = loadConfig(telemetryEnvSchema, processEnv);
  return {
    serviceName: config.otelServiceName ?? config.strataServiceName ?? serviceNameFromEntryPath(entryPath) ?? UNKNOWN_SERVICE_NAME,
    serviceVersion: config.strataVersion,
    exportToOtlp: config.otelExporterOtlpEndpoint !== undefined || config.otelExporterOtlpTracesEndpoint !== undefined,
  };
}

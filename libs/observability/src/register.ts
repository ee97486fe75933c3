/**
 * Side-effect entry: `import '@strata/observability/register'` as the FIRST line of a
 * service's main.ts starts OpenTelemetry before Nest, @grpc/grpc-js and http are required.
 * Service name: OTEL_SERVICE_NAME, else STRATA_SERVICE_NAME, else `apps/<service>/` or
 * `dist/<service>/` in the entry script path. Spans are exported (OTLP, protobuf over HTTP)
 * only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.
 * Flush on shutdown with `activeTelemetry()?.shutdown()` from `@strata/observability`.
 */
import { startTelemetry } from './telemetry';
import { readTelemetryEnvironment } from './telemetry-env';

startTelemetry(readTelemetryEnvironment());

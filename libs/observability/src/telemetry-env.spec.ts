import { ConfigError } from '@strata/config';
import { readTelemetryEnvironment, serviceNameFromEntryPath } from './telemetry-env';

describe(readTelemetryEnvironment.name, () => {
  const entry = '/srv/strata/dist/gateway/apps/gateway/src/main.js';

  it('takes OTEL_SERVICE_NAME first, then STRATA_SERVICE_NAME, then the entry path', () => {
    expect(readTelemetryEnvironment({ OTEL_SERVICE_NAME: 'otel-name', STRATA_SERVICE_NAME: 'strata-name' }, entry).serviceName).toBe('otel-name');
    expect(readTelemetryEnvironment({ STRATA_SERVICE_NAME: 'strata-name' }, entry).serviceName).toBe('strata-name');
    expect(readTelemetryEnvironment({}, entry).serviceName).toBe('gateway');
    expect(readTelemetryEnvironment({}, '/tmp/script.js').serviceName).toBe('strata-unknown-service');
  });

  it('exports to OTLP only when an endpoint is configured', () => {
    expect(readTelemetryEnvironment({}, entry).exportToOtlp).toBe(false);
    expect(readTelemetryEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, entry).exportToOtlp).toBe(true);
    expect(readTelemetryEnvironment({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces' }, entry).exportToOtlp).toBe(true);
  });

  it('rejects a malformed endpoint with a clear line', () => {
    expect(() => readTelemetryEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, entry)).toThrow(ConfigError);
    expect(() => readTelemetryEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, entry)).toThrow('OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL (http, https), got "collector:4318"');
  });
});

describe(serviceNameFromEntryPath.name, () => {
  it('reads apps/<service>/ and dist/<service>/', () => {
    expect(serviceNameFromEntryPath('/work/apps/registry-service/src/main.ts')).toBe('registry-service');
    expect(serviceNameFromEntryPath('/app/dist/inference-service/main.js')).toBe('inference-service');
    expect(serviceNameFromEntryPath(undefined)).toBeUndefined();
  });
});

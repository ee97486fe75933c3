// The recording half of telemetry, loaded by startTelemetry only when spans are exported: a
// service without an exporter loads none of it. Like telemetry.ts, it must not import
// @grpc/grpc-js, http or Nest: the instrumentations patch them as they are first required.
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RequestContextSpanProcessor } from './request-context-spans';

// Probes and scrapes would otherwise make a root span every few seconds.
const UNTRACED_GRPC_METHODS = ['Check', 'Watch'];
const UNTRACED_HTTP_PATH = /^\/(?:metrics|healthz?|livez|readyz|v2\/health)(?:[/?]|$)/;

export interface TracingSdkOptions {
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /** Where finished spans go; default: OTLP (protobuf over HTTP, `OTEL_EXPORTER_OTLP_*`) in batches, each span with the request context. */
  readonly spanProcessors?: SpanProcessor[];
}

/** A started tracer provider with the gRPC and HTTP instrumentations. */
export interface TracingSdk {
  forceFlush(): Promise<void>;
  /** Flushes and stops the provider, unhooks the instrumentations and unregisters the global tracer provider. */
  shutdown(): Promise<void>;
}

/** The instrumentations Strata services use: gRPC (@grpc/grpc-js) and HTTP. */
export function createInstrumentations(): Instrumentation[] {
  return [
    new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC_METHODS }),
    new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_HTTP_PATH.test(request.url ?? '') }),
  ];
}

/**
 * The tracer provider (sampler from `OTEL_TRACES_SAMPLER`, default parent-based always-on),
 * registered globally, and the instrumentations hooked into `require`. The resource is what the
 * NodeSDK would detect (`OTEL_RESOURCE_ATTRIBUTES`, process, host) plus the service's name,
 * namespace and version. The pieces are assembled here instead of through
 * `@opentelemetry/sdk-node`, which loads the metrics and logs SDKs and every exporter of every
 * signal (~2,000 modules, ~50 MiB resident per process) for the traces Strata exports alone.
 */
export function startTracingSdk(options: TracingSdkOptions): TracingSdk {
  const spanProcessors = options.spanProcessors ?? [new RequestContextSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter()))];
  const resource = detectResources({ detectors: [envDetector, processDetector, hostDetector] }).merge(
    resourceFromAttributes({ 'service.name': options.serviceName, 'service.namespace': 'strata', ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}) }),
  );
  const provider = new BasicTracerProvider({ resource, spanProcessors });
  trace.setGlobalTracerProvider(provider);
  const instrumentations = createInstrumentations();
  for (const instrumentation of instrumentations) {
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
  }
  return {
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      for (const instrumentation of instrumentations) instrumentation.disable();
      trace.disable();
    },
  };
}

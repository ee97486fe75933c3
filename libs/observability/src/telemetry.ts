// This module must not import @grpc/grpc-js, http or Nest: it runs before them so the
// instrumentations can patch them as they are first required.
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RequestContextSpanProcessor } from './request-context-spans';
import { setTracing } from './tracing-state';

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  /** `service.name` of every span. */
  readonly serviceName: string;
  /** `service.version`, e.g. the release or git SHA. */
  readonly serviceVersion?: string;
  /**
   * Where finished spans go. Default: an OTLP (protobuf over HTTP) batch exporter when
   * `exportToOtlp`, else nowhere — and then nothing is traced at all: no gRPC or HTTP
   * instrumentation is installed and no span is made (the instrumentations alone cost 15-35 %
   * of the CPU of a prediction's hops, for spans nobody records). The request context
   * (request ID, model version, feature contract) still flows between services in Strata's own
   * metadata and logs, and the context manager still scopes it; `traceparent` is neither read
   * nor sent, so turn export on for every service or none.
   */
  readonly spanProcessors?: SpanProcessor[];
  /** Export to the OTLP endpoint of the `OTEL_EXPORTER_OTLP_*` variables. Ignored with `spanProcessors`. */
  readonly exportToOtlp?: boolean;
}

/** The running telemetry of the process. */
export interface TelemetryHandle {
  readonly serviceName: string;
  /** Whether spans are recorded (an exporter or processors were given): the instrumentations are installed and W3C context propagates. */
  readonly tracing: boolean;
  /** Exports the spans that have ended but are still buffered. */
  forceFlush(): Promise<void>;
  /** Flushes, stops the SDK and unregisters it, so telemetry can be started again (tests). */
  shutdown(): Promise<void>;
}

// Probes and scrapes would otherwise make a root span every few seconds.
const UNTRACED_GRPC_METHODS = ['Check', 'Watch'];
const UNTRACED_HTTP_PATH = /^\/(?:metrics|healthz?|livez|readyz|v2\/health)(?:[/?]|$)/;

let running: TelemetryHandle | undefined;

/** The telemetry started by {@link startTelemetry} (or the register entry), if any. */
export function activeTelemetry(): TelemetryHandle | undefined {
  return running;
}

/** The instrumentations Strata services use: gRPC (@grpc/grpc-js) and HTTP. */
export function createInstrumentations(): Instrumentation[] {
  return [
    new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC_METHODS }),
    new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_HTTP_PATH.test(request.url ?? '') }),
  ];
}

function defaultSpanProcessors(exportToOtlp: boolean): SpanProcessor[] {
  // Without any processor the SDK registers no tracer provider and spans are no-ops.
  if (!exportToOtlp) return [new NoopSpanProcessor()];
  // Every exported span carries the request context, not only the server spans.
  return [new RequestContextSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter()))];
}

/**
 * Starts the OpenTelemetry NodeSDK: gRPC + HTTP instrumentation, W3C trace context + W3C
 * baggage propagation, resource `service.name`. Must run before `@grpc/grpc-js`, `http` and
 * Nest are first required — services get this by importing `@strata/observability/register`
 * first; tests call it with an in-memory exporter. Throws when telemetry is already running.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (running) throw new Error(`telemetry is already running for service ${running.serviceName}`);
  const tracing = options.spanProcessors !== undefined || options.exportToOtlp === true;
  const instrumentations = tracing ? createInstrumentations() : [];
  const spanProcessors = options.spanProcessors ?? defaultSpanProcessors(options.exportToOtlp === true);
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    resource: resourceFromAttributes({ 'service.namespace': 'strata', ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}) }),
    instrumentations,
    spanProcessors,
    // Nothing is exported: skip recording spans (OTEL_TRACES_SAMPLER still wins when set).
    ...(options.spanProcessors === undefined && options.exportToOtlp !== true && process.env['OTEL_TRACES_SAMPLER'] === undefined ? { sampler: new AlwaysOffSampler() } : {}),
    textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    // Metrics are Prometheus (prom-client) and logs are pino on stdout: no OTel readers/exporters.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const handle: TelemetryHandle = {
    serviceName: options.serviceName,
    tracing,
    forceFlush: async () => {
      await Promise.all(spanProcessors.map((processor) => processor.forceFlush()));
    },
    shutdown: async () => {
      if (running !== handle) return;
      running = undefined;
      setTracing(undefined);
      await sdk.shutdown();
      for (const instrumentation of instrumentations) instrumentation.disable();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  running = handle;
  setTracing(tracing);
  return handle;
}

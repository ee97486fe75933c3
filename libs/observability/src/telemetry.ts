// This module must not import @grpc/grpc-js, http or Nest: it runs before them so the
// instrumentations can patch them as they are first required. It loads only the OpenTelemetry
// API, the context manager and the propagators; the tracing SDK (tracing-sdk.ts) is loaded when
// spans are exported.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TracingSdk } from './tracing-sdk';
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

let running: TelemetryHandle | undefined;

/** The telemetry started by {@link startTelemetry} (or the register entry), if any. */
export function activeTelemetry(): TelemetryHandle | undefined {
  return running;
}

/** The tracing SDK, required only when it is used (see the note at the top). */
function loadTracingSdk(): typeof import('./tracing-sdk') {
  // Loaded on demand: a service that does not trace never loads the SDK.
  return require('./tracing-sdk') as typeof import('./tracing-sdk');
}

/**
 * Starts telemetry: the AsyncLocalStorage context manager (the request scope lives in it) and
 * W3C trace context + W3C baggage propagation; when spans are exported (`exportToOtlp` or
 * `spanProcessors`), also a tracer provider with the gRPC + HTTP instrumentations and resource
 * `service.name`. Must run before `@grpc/grpc-js`, `http` and Nest are first required —
 * services get this by importing `@strata/observability/register` first; tests call it with an
 * in-memory exporter. Throws when telemetry is already running.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (running) throw new Error(`telemetry is already running for service ${running.serviceName}`);
  const tracing = options.spanProcessors !== undefined || options.exportToOtlp === true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const sdk: TracingSdk | undefined = tracing
    ? loadTracingSdk().startTracingSdk({
        serviceName: options.serviceName,
        ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
        ...(options.spanProcessors === undefined ? {} : { spanProcessors: options.spanProcessors }),
      })
    : undefined;
  const handle: TelemetryHandle = {
    serviceName: options.serviceName,
    tracing,
    forceFlush: async () => {
      await sdk?.forceFlush();
    },
    shutdown: async () => {
      if (running !== handle) return;
      running = undefined;
      setTracing(undefined);
      await sdk?.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  running = handle;
  setTracing(tracing);
  return handle;
}

// Kept apart from telemetry.ts so code on the request path (the gRPC client interceptor) can ask
// without loading the OpenTelemetry SDK (the CLI uses the same clients and never starts it).
let tracing: boolean | undefined;

/** Whether the running telemetry records spans: true or false once started, undefined when none runs. */
export function isTracing(): boolean | undefined {
  return tracing;
}

/** Set by startTelemetry and shutdown. */
export function setTracing(value: boolean | undefined): void {
  tracing = value;
}

export { requestContextClientInterceptor } from './grpc-client-interceptor';
export { type DirectUnaryHandler, directUnaryCall, type DirectUnaryOptions } from './direct-unary';
export { grpcStatusCodeOfError, grpcStatusName } from './grpc-call';
export { createHealthService, type HealthServer, type HealthService, WHOLE_SERVER } from './health';
export { createLogger, DEFAULT_REDACTED_PATHS, logCorrelationFields, type LoggerConfig } from './logger';
export { createMetrics, LATENCY_BUCKETS_SECONDS, type MetricsOptions, type MetricsText, ServiceMetrics } from './metrics';
export { NestPinoLogger } from './nest-pino-logger';
export { ObservabilityInterceptor, type ObservabilityInterceptorOptions } from './observability.interceptor';
export {
  acceptContextValue,
  attributesOf,
  getRequestContext,
  type IncomingContextPolicy,
  incomingRequestContext,
  newRequestId,
  requestContextHeaders,
  setFeatureContractVersion,
  setModelVersion,
  updateRequestContext,
  withRequestContext,
} from './request-context';
export {
  type RequestContext,
  RequestContextAttributes,
  RequestContextBaggage,
  type RequestContextField,
  RequestContextLogFields,
  RequestContextMetadata,
} from './request-context-keys';
export { type HttpResponseLike, setRequestContextHeaders } from './response-headers';
export { type RequestContextHoldOptions, RequestContextSpanProcessor } from './request-context-spans';
export { activeTelemetry, startTelemetry, type TelemetryHandle, type TelemetryOptions } from './telemetry';
export { readTelemetryEnvironment, serviceNameFromEntryPath, type TelemetryEnvironment, telemetryEnvSchema } from './telemetry-env';

export { GrpcExceptionFilter } from './errors/grpc-exception.filter';
export {
  AbortedError,
  AlreadyExistsError,
  FailedPreconditionError,
  describeViolations,
  type FieldViolation,
  grpcStatusOf,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  PermissionDeniedError,
  type PreconditionViolation,
  ResourceExhaustedError,
  ServiceError,
  UnauthenticatedError,
  UnavailableError,
  UpstreamError,
} from './errors/service-errors';
export { decodeStatusDetails, type DecodedStatusDetails, encodeStatusDetails, STATUS_DETAILS_KEY } from './errors/status-details';
export { drainGrpcServer } from './grpc-drain';
export { GrpcHealthProbe } from './grpc-health-probe';
export { type ReadinessProbe, registerOperationalRoutes } from './http-endpoints';
export { DRAIN_IDLE_CLOSE_MS, type HttpConnections, trackHttpConnections } from './http-drain';
export { type HttpErrorAnswers, type RawHttpAnswer, ServiceFastifyAdapter } from './http-error-answers';
export { PrismaClientRegistry, prismaClientProvider } from './prisma-client.provider';
export { MIGRATE_FLAG, migrateService, type MigrateServiceOptions, runMigrateCommand } from './migrate-command';
export { runService } from './run-service';
export { SchemaWaitAbortedError, type SchemaStatusSource, waitForSchema, type SchemaWaitOptions } from './schema-wait';
export { DATABASE, ENVIRONMENT, LOGGER, METRICS, SERVICE_CONFIG, SHUTDOWN_SIGNAL } from './runtime-tokens';
export { type ServiceRuntimeContext, ServiceRuntimeModule } from './service-runtime.module';
export { type DefaultPorts, loadServiceConfig, type ServiceConfig, serviceConfigSchema } from './service-config';
export { grpcRoute, MAX_MESSAGE_BYTES, type RunningService, type ServiceDefinition, type ServiceReadiness, startService, type StartServiceOptions } from './start-service';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from './paging';
export { durationToMs, fromTimestamp, impossibleInstantText, msToDuration, parseInstantText, toTimestamp } from './wire-time';
export { type ReadableCall, receiveWithBackpressure, sendWithBackpressure, type WritableCall } from './grpc-streams';
export { WakeableSleep } from './wakeable-sleep';
export { callUnary, createStrataClient, grpcErrorText, isTransientGrpcError, type UnaryMethod } from './strata-client';
export { BearerTokens, type BearerTokenOptions, hashToken, type TokenHolder } from './auth/bearer-tokens';

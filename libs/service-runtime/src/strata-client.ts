import { type ChannelOptions, type Client, credentials, type GrpcObject, loadPackageDefinition, type Metadata, type ServiceClientConstructor, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, PROTOS_DIR, STRATA_PROTOS } from '@strata/contracts';
import { requestContextClientInterceptor } from '@strata/observability';

/**
 * A client of another Strata service's contract (e.g. `featuresV1`, `FeatureService`), with the
 * request context (request ID, trace, model and feature-contract versions) propagated on every call.
 */
export function createStrataClient<T extends Client>(key: keyof typeof STRATA_PROTOS, serviceName: string, address: string, options: ChannelOptions = {}): T {
  const proto = STRATA_PROTOS[key];
  const definition = loadSync(proto.protoPath, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTOS_DIR] });
  let node: GrpcObject = loadPackageDefinition(definition);
  for (const part of proto.package.split('.')) node = node[part] as GrpcObject;
  const Service = node[serviceName] as ServiceClientConstructor;
  return new Service(address, credentials.createInsecure(), { ...options, interceptors: [requestContextClientInterceptor] }) as unknown as T;
}

/** A unary call as a promise. */
export type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response?: Res) => void) => void;

/** Calls a unary method of `client` with a deadline of `timeoutMs`. */
export function callUnary<Req, Res>(client: Client, method: UnaryMethod<Req, Res>, request: Req, metadata: Metadata, timeoutMs: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, metadata, { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error !== null) reject(error);
      else resolve(response as Res);
    });
  });
}

/** Whether a gRPC failure is worth retrying later (the other side was unreachable, overloaded or crashed). */
export function isTransientGrpcError(error: unknown): boolean {
  const code = (error as Partial<ServiceError>).code;
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED || code === status.INTERNAL || code === status.UNKNOWN || code === status.ABORTED || code === undefined;
}

/** The message of a gRPC failure without the `13 INTERNAL:` prefix. */
export function grpcErrorText(error: unknown): string {
  const failure = error as Partial<ServiceError>;
  return failure.details !== undefined && failure.details !== '' ? failure.details : String(failure.message ?? error);
}

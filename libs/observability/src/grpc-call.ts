import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';

/** The parts of a grpc-js server call object the interceptor uses. */
export interface GrpcServerCallLike {
  readonly metadata?: Metadata;
  sendMetadata(responseMetadata: Metadata): void;
  getPath?(): string;
}

function isMetadata(value: unknown): value is Metadata {
  return value instanceof Metadata || (typeof value === 'object' && value !== null && typeof (value as Metadata).getMap === 'function' && typeof (value as Metadata).get === 'function');
}

function isServerCall(value: unknown): value is GrpcServerCallLike {
  return typeof value === 'object' && value !== null && typeof (value as GrpcServerCallLike).sendMetadata === 'function';
}

/**
 * Finds the incoming metadata and the call object among the arguments Nest passes to a gRPC
 * handler: `(data, metadata, call)` for `@GrpcMethod` and `@GrpcStreamMethod`, `(call)` or
 * `(call, callback)` for `@GrpcStreamCall`.
 */
export function grpcCallOfHandlerArgs(args: readonly unknown[]): { metadata: Metadata; call: GrpcServerCallLike | undefined } | undefined {
  const call = args.find(isServerCall);
  const metadata = args.find(isMetadata) ?? call?.metadata;
  return metadata ? { metadata, call } : undefined;
}

/** The first value of a metadata key, as text. */
export function metadataValue(metadata: Metadata, key: string): string | undefined {
  const [first] = metadata.get(key);
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** `strata.registry.v1.RegistryService/GetModel` from the call path, or `fallback`. */
export function grpcMethodName(call: GrpcServerCallLike | undefined, fallback: string): string {
  const path = call?.getPath?.();
  return path ? path.replace(/^\//, '') : fallback;
}

function isStatusCode(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 16;
}

/**
 * The gRPC status code an error from a handler ends as: `RpcException({ code })`, an error
 * or object with a numeric `code` (0-16), else UNKNOWN.
 */
export function grpcStatusCodeOfError(error: unknown): number {
  if (typeof error !== 'object' || error === null) return GrpcStatus.UNKNOWN;
  const candidate = error as { code?: unknown; getError?: () => unknown };
  if (typeof candidate.getError === 'function') {
    const inner = candidate.getError();
    if (typeof inner === 'object' && inner !== null && isStatusCode((inner as { code?: unknown }).code)) return (inner as { code: number }).code;
  }
  return isStatusCode(candidate.code) ? candidate.code : GrpcStatus.UNKNOWN;
}

/** `OK`, `NOT_FOUND`, ... for a status code number. */
export function grpcStatusName(code: number): string {
  return GrpcStatus[code] ?? String(code);
}

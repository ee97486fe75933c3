// google.rpc error model (vendored protos/google/rpc), re-exported by name: the generated
// files each export `protobufPackage`, so they cannot be star-exported into one namespace.
import type { Any } from './well-known-types';

export { Code } from './gen/google/rpc/code';
export type {
  BadRequest,
  BadRequest_FieldViolation,
  DebugInfo,
  ErrorInfo,
  Help,
  Help_Link,
  LocalizedMessage,
  PreconditionFailure,
  PreconditionFailure_Violation,
  QuotaFailure,
  QuotaFailure_Violation,
  RequestInfo,
  ResourceInfo,
  RetryInfo,
} from './gen/google/rpc/error_details';

/**
 * google.rpc.Status as protobufjs/proto-loader represent it (its `details` are
 * {@link Any} with `type_url`; the generated `gen/google/rpc/status.ts` is wrong there).
 * Binary-encoded, it is the `grpc-status-details-bin` trailer of a failed call.
 */
export interface Status {
  /** gRPC status code number (google.rpc.Code). */
  code: number;
  /** Developer-facing message in English. */
  message: string;
  /** Error detail messages (BadRequest, PreconditionFailure, ...), each packed in an Any. */
  details: Any[];
}

/** `google.protobuf.Any.type_url` of each error detail message Strata uses. */
export const ERROR_DETAIL_TYPE_URLS = {
  badRequest: 'type.googleapis.com/google.rpc.BadRequest',
  errorInfo: 'type.googleapis.com/google.rpc.ErrorInfo',
  preconditionFailure: 'type.googleapis.com/google.rpc.PreconditionFailure',
  quotaFailure: 'type.googleapis.com/google.rpc.QuotaFailure',
  resourceInfo: 'type.googleapis.com/google.rpc.ResourceInfo',
  retryInfo: 'type.googleapis.com/google.rpc.RetryInfo',
} as const;

/** Proto files of the google.rpc error model, relative to PROTOS_DIR (loader includeDirs). */
export const GOOGLE_RPC_PROTO_PATHS = [
  'google/rpc/code.proto',
  'google/rpc/error_details.proto',
  'google/rpc/status.proto',
] as const;

// google.protobuf well-known types used by the contracts, re-exported by name (each
// generated file exports its own `protobufPackage`).
export type { Duration } from './gen/google/protobuf/duration';
export type { Timestamp } from './gen/google/protobuf/timestamp';

/**
 * google.protobuf.Any as @grpc/proto-loader (protobufjs) represents it at runtime.
 *
 * protobufjs always uses its bundled definition of Any, whose field keeps the proto name
 * `type_url` even with `keepCase: false`; the generated `gen/google/protobuf/any.ts` says
 * `typeUrl`, which is wrong at runtime (a `typeUrl` property is silently dropped). Use
 * this type instead. No Strata message carries Any on the wire; it only appears inside
 * google.rpc.Status (the `grpc-status-details-bin` trailer).
 */
export interface Any {
  /** `type.googleapis.com/<fully.qualified.MessageName>`. */
  type_url: string;
  /** The packed message, binary-encoded. */
  value: Buffer;
}

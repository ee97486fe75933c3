import * as path from 'node:path';

import type { Options as ProtoLoaderOptions } from '@grpc/proto-loader';

/**
 * Absolute path of the repository's `protos/` directory (the buf module root).
 *
 * Resolved from this file's location, so it is right both in the source tree
 * (`libs/contracts/src` -> `protos`) and in a service build that copies the protos next to
 * its output (`dist/<service>/libs/contracts/src` -> `dist/<service>/protos`).
 */
export const PROTOS_DIR: string = path.resolve(__dirname, '../../../protos');

/**
 * The one set of @grpc/proto-loader options every Strata gRPC server and client uses
 * (pass it as NestJS `options.loader`). The generated types in `src/gen` describe exactly
 * the objects proto-loader produces with these options:
 * - field names camelCase (`keepCase: false`);
 * - int64/uint64 as decimal strings (`longs: String`), enums as their names (`enums: String`);
 * - scalars, repeated fields and maps always present (`defaults: true`, `arrays`, `objects`);
 *   unset message fields are `null`;
 * - unset oneof members and proto3 `optional` fields are absent; with `oneofs: true` the
 *   oneof's name is an extra (untyped) property naming the member that is set, e.g.
 *   `modelRef.selector === 'alias'`;
 * - `bytes` as Buffer; google.protobuf.Timestamp/Duration as `{ seconds: string; nanos: number }`.
 *
 * Relative proto paths (see {@link STRATA_PROTOS}) resolve against `includeDirs`.
 */
export const PROTO_LOADER_OPTIONS: ProtoLoaderOptions = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  arrays: true,
  objects: true,
  includeDirs: [PROTOS_DIR],
};

/** One proto package of the contracts: where its file lives and which services it defines. */
export interface ProtoPackage {
  /** Fully-qualified proto package, e.g. `strata.registry.v1`. */
  readonly package: string;
  /** Proto file path relative to {@link PROTOS_DIR} (and to the loader's `includeDirs`). */
  readonly protoPath: string;
  /** Unqualified names of the gRPC services the package defines. */
  readonly services: readonly string[];
}

/**
 * Every proto package of the contracts, keyed like the namespaces exported from
 * `@strata/contracts` (`registryV1`, ...). `oipV1` is the Open Inference Protocol
 * (KServe v2 / Triton), whose package is the unversioned `inference`.
 */
export const STRATA_PROTOS = {
  commonV1: { package: 'strata.common.v1', protoPath: 'strata/common/v1/common.proto', services: [] },
  featuresV1: {
    package: 'strata.features.v1',
    protoPath: 'strata/features/v1/features.proto',
    services: ['FeatureService'],
  },
  trainingV1: {
    package: 'strata.training.v1',
    protoPath: 'strata/training/v1/training.proto',
    services: ['TrainingService'],
  },
  registryV1: {
    package: 'strata.registry.v1',
    protoPath: 'strata/registry/v1/registry.proto',
    services: ['RegistryService'],
  },
  inferenceV1: {
    package: 'strata.inference.v1',
    protoPath: 'strata/inference/v1/inference.proto',
    services: ['InferenceService'],
  },
  gatewayV1: {
    package: 'strata.gateway.v1',
    protoPath: 'strata/gateway/v1/gateway.proto',
    services: ['PredictionService', 'ApiKeyAdminService'],
  },
  oipV1: { package: 'inference', protoPath: 'inference/grpc_predict_v2.proto', services: ['GRPCInferenceService'] },
} as const satisfies Record<string, ProtoPackage>;

/** Key of a package in {@link STRATA_PROTOS}. */
export type StrataProtoKey = keyof typeof STRATA_PROTOS;

/** What NestJS's gRPC transport (`options`) or `protoLoader.loadSync` needs for some packages. */
export interface GrpcLoadTarget {
  /** Proto package names, in the order given. */
  package: string[];
  /** Proto file paths relative to {@link PROTOS_DIR}. */
  protoPath: string[];
  /** {@link PROTO_LOADER_OPTIONS}. */
  loader: ProtoLoaderOptions;
}

/**
 * Builds the package/protoPath/loader triple for the given packages, e.g.
 * `{ transport: Transport.GRPC, options: { url, ...grpcLoadTarget('registryV1') } }`.
 */
export function grpcLoadTarget(...keys: StrataProtoKey[]): GrpcLoadTarget {
  return {
    package: keys.map((key) => STRATA_PROTOS[key].package),
    protoPath: keys.map((key) => STRATA_PROTOS[key].protoPath),
    loader: PROTO_LOADER_OPTIONS,
  };
}

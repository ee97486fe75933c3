// @strata/contracts: generated wire types and NestJS gRPC interfaces, one namespace per
// proto package, plus the proto-loader settings they are generated for. Generated code
// (src/gen) stops at each service's mappers; domain code never imports this library.
export * as commonV1 from './gen/strata/common/v1/common';
export * as featuresV1 from './gen/strata/features/v1/features';
export * as gatewayV1 from './gen/strata/gateway/v1/gateway';
export * as inferenceV1 from './gen/strata/inference/v1/inference';
export * as oipV1 from './gen/inference/grpc_predict_v2';
export * as registryV1 from './gen/strata/registry/v1/registry';
export * as trainingV1 from './gen/strata/training/v1/training';

export * as googleProtobuf from './well-known-types';
export * as googleRpc from './google-rpc';

export {
  grpcLoadTarget,
  PROTO_LOADER_OPTIONS,
  PROTOS_DIR,
  STRATA_PROTOS,
  type GrpcLoadTarget,
  type ProtoPackage,
  type StrataProtoKey,
} from './grpc-loader';
export { impossibleInstantText, parseInstantText } from './instant-text';
export {
  type FeatureContractHeader,
  formatFeatureContractHeader,
  formatModelVersionHeader,
  METADATA_KEYS,
  type ModelVersionHeader,
  parseFeatureContractHeader,
  parseModelVersionHeader,
} from './metadata';
export { PREDICTION_LIMITS, type PredictionRowView, predictionRowViolations, type RowViolation } from './prediction-limits';

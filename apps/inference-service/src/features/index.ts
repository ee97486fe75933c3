/**
 * Online features on the request path: the feature-service port, the feature plan of a model
 * version (built at load from its input bindings, signature and lineage contracts) and the
 * assembler that turns prediction rows into model inputs with explicit degradation.
 */
export {
  type AssembledFeatures,
  type AssembleOptions,
  type AssemblyRow,
  FeatureAssembler,
  type FeatureAssemblerOptions,
  type FeatureDegradation,
  type FeatureFetchEvent,
  type FeatureFetchStats,
  type FeatureIssue,
  MAX_ENTITIES_PER_FETCH,
  MAX_FEATURE_ISSUES,
} from './feature-assembler';
export { FetchBreaker, type FetchBreakerOptions } from './fetch-breaker';
export { FreshFeaturesRequiredError, type FreshnessViolation, RowInputError } from './feature-assembler.errors';
export {
  type BoundInput,
  buildFeaturePlan,
  DERIVED_FEATURES,
  type DerivedFeature,
  type FeatureColumn,
  type FeaturePlan,
  FeaturePlanError,
  type PlannedFeatureSet,
  type RequestColumn,
  type StoredColumn,
} from './feature-plan';
export {
  type FeatureCallOptions,
  type FeatureContract,
  type FeatureDefinition,
  type FeatureScalar,
  type FeatureSetContract,
  type FeatureSetRef,
  FeatureStore,
  FeatureStoreError,
  type FeatureStoreFailure,
  type FeatureValueType,
  type OnlineFeatureStatus,
  type OnlineFeaturesRequest,
  type OnlineFeaturesResult,
  type OnlineFeatureValue,
} from './feature-store';
export { GrpcFeatureStore } from './grpc-feature-store';

/**
 * gRPC metadata keys (and HTTP header names) that carry the Strata request context between
 * services and back to callers in response metadata/headers.
 */
export const RequestContextMetadata = {
  requestId: 'x-request-id',
  modelName: 'strata-model-name',
  modelVersion: 'strata-model-version',
  featureContractVersion: 'strata-feature-contract',
} as const;

/** W3C baggage entry keys that carry the Strata request context through every hop. */
export const RequestContextBaggage = {
  requestId: 'strata.request_id',
  modelName: 'strata.model_name',
  modelVersion: 'strata.model_version',
  featureContractVersion: 'strata.feature_contract',
} as const;

/** Span attribute names for the Strata request context (set on server spans). */
export const RequestContextAttributes = {
  requestId: 'strata.request_id',
  modelName: 'strata.model.name',
  modelVersion: 'strata.model.version',
  featureContractVersion: 'strata.feature_contract.version',
} as const;

/** Field names of the Strata request context in JSON log lines. */
export const RequestContextLogFields = {
  requestId: 'request_id',
  modelName: 'model_name',
  modelVersion: 'model_version',
  featureContractVersion: 'feature_contract',
} as const;

/** The values that travel with a request through every service. */
export interface RequestContext {
  /** Assigned by the gateway (or accepted from `x-request-id`); generated when absent. */
  readonly requestId?: string;
  /** Name of the model serving the request, once known. */
  readonly modelName?: string;
  /** Version of the model serving the request, once known. */
  readonly modelVersion?: string;
  /** Version of the feature contract (feature set) used, once known. */
  readonly featureContractVersion?: string;
}

/** The fields of {@link RequestContext}, in a fixed order. */
export const REQUEST_CONTEXT_FIELDS = ['requestId', 'modelName', 'modelVersion', 'featureContractVersion'] as const;

/** One field of {@link RequestContext}. */
export type RequestContextField = (typeof REQUEST_CONTEXT_FIELDS)[number];

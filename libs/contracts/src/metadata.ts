/**
 * gRPC metadata keys (and HTTP header names on the gateway's REST API) that carry request
 * context between Strata services. Documented in protos/strata/common/v1/common.proto.
 */
export const METADATA_KEYS = {
  /** Request correlation ID, assigned or accepted by the gateway and forwarded by every hop. */
  requestId: 'x-request-id',
  /** Response: the model version that served the request, `<model>:<version>`. */
  modelVersion: 'strata-model-version',
  /** Response: the feature contract used, `<feature_set>:<version>@<digest>`. */
  featureContract: 'strata-feature-contract',
  /** `Bearer <token>` for registry mutations and admin calls (or an API key at the gateway). */
  authorization: 'authorization',
  /** Product API key at the gateway. */
  apiKey: 'x-api-key',
} as const;

/** A model version as carried in `strata-model-version`. */
export interface ModelVersionHeader {
  readonly model: string;
  readonly version: number;
}

/** A feature contract as carried in `strata-feature-contract`. */
export interface FeatureContractHeader {
  readonly featureSet: string;
  readonly version: number;
  /** `sha256:<64 hex>`, or empty when unknown. */
  readonly digest: string;
}

/** Formats `strata-model-version`: `flights-delay:3`. */
export function formatModelVersionHeader({ model, version }: ModelVersionHeader): string {
  return `${model}:${version}`;
}

/** Parses `strata-model-version`; undefined when the value is malformed. */
export function parseModelVersionHeader(value: string): ModelVersionHeader | undefined {
  const match = /^([a-z0-9][a-z0-9_-]{0,62}):([1-9][0-9]{0,9})$/.exec(value);
  return match ? { model: match[1], version: Number(match[2]) } : undefined;
}

/** Formats `strata-feature-contract`: `flights_delay:2@sha256:9f86...` (no `@` part without a digest). */
export function formatFeatureContractHeader({ featureSet, version, digest }: FeatureContractHeader): string {
  return digest ? `${featureSet}:${version}@${digest}` : `${featureSet}:${version}`;
}

/** Parses `strata-feature-contract`; undefined when the value is malformed. */
export function parseFeatureContractHeader(value: string): FeatureContractHeader | undefined {
  const match = /^([a-z][a-z0-9_]{0,62}):([1-9][0-9]{0,9})(?:@(sha256:[0-9a-f]{64}))?$/.exec(value);
  return match ? { featureSet: match[1], version: Number(match[2]), digest: match[3] ?? '' } : undefined;
}

import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { formatFeatureContractHeader, formatModelVersionHeader, METADATA_KEYS } from '@strata/contracts';
import { setFeatureContractVersion, setModelVersion } from '@strata/observability';
import type { FeatureContract } from '../features';

/** A feature contract as `strata-feature-contract` names it: `<feature_set>:<version>@<digest>`. */
export function featureContractLabel(contract: FeatureContract): string {
  return formatFeatureContractHeader({ featureSet: contract.name, version: contract.version, digest: contract.digest });
}

/** What a response announces in metadata: the version served and the feature contract used. */
export interface ServedBy {
  readonly modelName: string;
  readonly version: number;
  /** `<feature_set>:<version>@<digest>` labels of the contracts used; empty when none. */
  readonly featureContracts: readonly string[];
}

/**
 * Puts `strata-model-version` (and `strata-feature-contract` when features were used) on the
 * request's context — the observability interceptor returns them as response metadata and on
 * the trace. Without an active request scope (observability not registered) they are sent here.
 */
export function announceServedBy(servedBy: ServedBy, call: ServerUnaryCall<unknown, unknown> | undefined): void {
  const modelVersion = formatModelVersionHeader({ model: servedBy.modelName, version: servedBy.version });
  const featureContract = servedBy.featureContracts.join(',');
  let scoped = setModelVersion(modelVersion, servedBy.modelName);
  if (featureContract !== '') scoped = setFeatureContractVersion(featureContract) && scoped;
  if (scoped || call === undefined) return;
  const headers = new Metadata();
  headers.set(METADATA_KEYS.modelVersion, modelVersion);
  if (featureContract !== '') headers.set(METADATA_KEYS.featureContract, featureContract);
  call.sendMetadata(headers);
}

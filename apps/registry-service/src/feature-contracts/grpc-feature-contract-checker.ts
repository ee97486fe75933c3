import { type Client, credentials, type GrpcObject, loadPackageDefinition, type ServiceClientConstructor, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type featuresV1, PROTO_LOADER_OPTIONS, PROTOS_DIR, STRATA_PROTOS } from '@strata/contracts';
import { requestContextClientInterceptor } from '@strata/observability';
import { fromTimestamp, UnavailableError } from '@strata/service-runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { FeatureContractChecker, featureContractKey, type FeatureContractRef, type ServedFeatureSet } from './feature-contract';

/** The proto promises SetAlias < 1 s with a feature-contract rule: each lookup gets this long. */
export const FEATURE_LOOKUP_DEADLINE_MS = 1000;

type GetFeatureSet = (
  request: featuresV1.GetFeatureSetRequest,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: featuresV1.GetFeatureSetResponse) => void,
) => void;
type FeatureServiceClient = Client & { GetFeatureSet: GetFeatureSet };

/**
 * Asks the feature service (strata.features.v1 GetFeatureSet at FEATURE_SERVICE_ADDRESS)
 * about each feature set version, in parallel, with the request context propagated.
 * NOT_FOUND is an answer (the set does not exist); anything else, or no address, is UNAVAILABLE.
 */
@Injectable()
export class GrpcFeatureContractChecker extends FeatureContractChecker implements OnModuleDestroy {
  private client: FeatureServiceClient | undefined;

  constructor(@Inject(REGISTRY_CONFIG) private readonly config: Pick<RegistryConfig, 'featureServiceAddress'>) {
    super();
  }

  async lookup(refs: readonly FeatureContractRef[]): Promise<ReadonlyMap<string, ServedFeatureSet>> {
    const unique = new Map(refs.map((ref) => [featureContractKey(ref), ref]));
    if (unique.size === 0) return new Map();
    const client = this.clientOrUnavailable();
    const answers = await Promise.all([...unique].map(async ([key, ref]) => [key, await this.getFeatureSet(client, ref)] as const));
    return new Map(answers);
  }

  onModuleDestroy(): void {
    this.client?.close();
    this.client = undefined;
  }

  private clientOrUnavailable(): FeatureServiceClient {
    const address = this.config.featureServiceAddress;
    if (address === undefined || address === '') {
      throw new UnavailableError('the gate requires served feature contracts, but FEATURE_SERVICE_ADDRESS is not set: the feature service cannot be asked');
    }
    if (this.client === undefined) {
      const definition = loadSync(STRATA_PROTOS.featuresV1.protoPath, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTOS_DIR] });
      const features = ((loadPackageDefinition(definition)['strata'] as GrpcObject)['features'] as GrpcObject)['v1'] as GrpcObject;
      const FeatureService = features['FeatureService'] as ServiceClientConstructor;
      this.client = new FeatureService(address, credentials.createInsecure(), { interceptors: [requestContextClientInterceptor] }) as unknown as FeatureServiceClient;
    }
    return this.client;
  }

  private getFeatureSet(client: FeatureServiceClient, ref: FeatureContractRef): Promise<ServedFeatureSet> {
    const request: featuresV1.GetFeatureSetRequest = { featureSet: { name: ref.featureSet, version: ref.version } };
    return new Promise((resolve, reject) => {
      client.GetFeatureSet(request, { deadline: Date.now() + FEATURE_LOOKUP_DEADLINE_MS }, (error, response) => {
        const featureSet = response?.featureSet;
        if (error !== null && error.code !== status.NOT_FOUND) {
          const where = this.config.featureServiceAddress ?? '';
          reject(new UnavailableError(`the feature service at ${where} could not be asked about ${featureContractKey(ref)}: ${error.details || error.message}`));
        } else if (error !== null || featureSet == null) {
          resolve({ found: false, contractDigest: '' });
        } else {
          const materializedUntil = fromTimestamp(featureSet.materializedUntil);
          resolve({ found: true, contractDigest: featureSet.contractDigest, ...(materializedUntil === undefined ? {} : { materializedUntil }) });
        }
      });
    });
  }
}

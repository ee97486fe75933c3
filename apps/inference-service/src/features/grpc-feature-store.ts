import { type Client, type ClientUnaryCall, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { commonV1, featuresV1 } from '@strata/contracts';
import { createStrataClient, durationToMs, fromTimestamp, grpcErrorText, msToDuration } from '@strata/service-runtime';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import {
  type FeatureCallOptions,
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
} from './feature-store';

type Callback<Res> = (error: ServiceError | null, response?: Res) => void;
type Unary<Req, Res> = (request: Req, metadata: Metadata, options: { deadline: number }, callback: Callback<Res>) => ClientUnaryCall;

interface FeatureServiceClient extends Client {
  GetFeatureSet: Unary<featuresV1.GetFeatureSetRequest, featuresV1.GetFeatureSetResponse>;
  GetOnlineFeatures: Unary<featuresV1.GetOnlineFeaturesRequest, featuresV1.GetOnlineFeaturesResponse>;
}

const VALUE_TYPES: Readonly<Record<string, FeatureValueType>> = {
  VALUE_TYPE_DOUBLE: 'DOUBLE',
  VALUE_TYPE_INT64: 'INT64',
  VALUE_TYPE_STRING: 'STRING',
  VALUE_TYPE_BOOL: 'BOOL',
  VALUE_TYPE_TIMESTAMP: 'TIMESTAMP',
};

const STATUSES: Readonly<Record<string, OnlineFeatureStatus>> = {
  FEATURE_STATUS_PRESENT: 'PRESENT',
  FEATURE_STATUS_MISSING: 'MISSING',
  FEATURE_STATUS_STALE: 'STALE',
  FEATURE_STATUS_DEFAULTED: 'DEFAULTED',
};

/** {@link FeatureStore} over strata.features.v1 at FEATURE_SERVICE_ADDRESS; every call carries a gRPC deadline of `deadlineMs`. */
@Injectable()
export class GrpcFeatureStore extends FeatureStore implements OnModuleDestroy {
  private client: FeatureServiceClient | undefined;

  constructor(@Inject(INFERENCE_CONFIG) private readonly config: Pick<InferenceConfig, 'featureServiceAddress'>) {
    super();
  }

  onModuleDestroy(): void {
    this.client?.close();
    this.client = undefined;
  }

  async getFeatureSet(ref: FeatureSetRef, options: FeatureCallOptions): Promise<FeatureSetContract> {
    const client = this.connect();
    const response = await unary(client, client.GetFeatureSet, { featureSet: { name: ref.name, version: ref.version } }, options, `GetFeatureSet ${ref.name}:${ref.version}`);
    const featureSet = response.featureSet;
    if (featureSet?.spec == null) throw new FeatureStoreError('FAILED', `the feature-service answered GetFeatureSet ${ref.name}:${ref.version} without a feature set`);
    const spec = featureSet.spec;
    const ttlMs = durationToMs(spec.ttl, 'ttl');
    return {
      name: spec.name,
      version: spec.version,
      digest: featureSet.contractDigest,
      features: spec.features.map((feature) => ({
        name: feature.name,
        type: VALUE_TYPES[feature.type as unknown as string] ?? 'DOUBLE',
        defaultValue: feature.defaultValue == null ? null : scalarOf(feature.defaultValue),
      })),
      ...(ttlMs === undefined ? {} : { ttlMs }),
    };
  }

  async getOnlineFeatures(request: OnlineFeaturesRequest, options: FeatureCallOptions): Promise<OnlineFeaturesResult> {
    const client = this.connect();
    const wire: featuresV1.GetOnlineFeaturesRequest = {
      featureSet: { name: request.featureSet.name, version: request.featureSet.version },
      entityIds: [...request.entityIds],
      asOf: null,
      maxStaleness: request.maxStalenessMs === undefined ? null : msToDuration(request.maxStalenessMs),
      features: [...(request.features ?? [])],
    };
    const response = await unary(client, client.GetOnlineFeatures, wire, options, `GetOnlineFeatures ${request.featureSet.name}:${request.featureSet.version}`);
    return {
      contract: { name: response.contract?.featureSet?.name ?? request.featureSet.name, version: response.contract?.featureSet?.version ?? request.featureSet.version, digest: response.contract?.digest ?? '' },
      entities: response.entities.map((entity) => ({
        entityId: entity.entityId,
        features: entity.features.map((feature) => {
          const eventTime = fromTimestamp(feature.eventTime);
          return {
            name: feature.name,
            value: feature.value == null ? null : scalarOf(feature.value),
            status: STATUSES[feature.status as unknown as string] ?? 'MISSING',
            ...(eventTime === undefined ? {} : { eventTime }),
          };
        }),
      })),
    };
  }

  private connect(): FeatureServiceClient {
    const address = this.config.featureServiceAddress;
    if (address === undefined || address === '') {
      throw new FeatureStoreError('NOT_CONFIGURED', 'FEATURE_SERVICE_ADDRESS is not set: inference cannot fetch online features or feature set contracts');
    }
    this.client ??= createStrataClient<FeatureServiceClient>('featuresV1', 'FeatureService', address);
    return this.client;
  }
}

/** One unary call with a deadline of `options.deadlineMs`, cancelled by `options.signal`; failures become {@link FeatureStoreError}. */
function unary<Req, Res>(client: Client, method: Unary<Req, Res>, request: Req, options: FeatureCallOptions, what: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(new FeatureStoreError('CANCELLED', `${what} was cancelled before it started`));
      return;
    }
    const cancel = (): void => call.cancel();
    const call = method.call(client, request, new Metadata(), { deadline: Date.now() + options.deadlineMs }, (error, response) => {
      options.signal?.removeEventListener('abort', cancel);
      if (error === null) resolve(response as Res);
      else reject(new FeatureStoreError(failureOf(error), `${what} failed: ${grpcErrorText(error)}`));
    });
    options.signal?.addEventListener('abort', cancel, { once: true });
  });
}

function failureOf(error: ServiceError): FeatureStoreFailure {
  switch (error.code) {
    case status.NOT_FOUND:
      return 'NOT_FOUND';
    case status.DEADLINE_EXCEEDED:
      return 'TIMEOUT';
    case status.CANCELLED:
      return 'CANCELLED';
    case status.UNAVAILABLE:
      return 'UNAVAILABLE';
    case status.INVALID_ARGUMENT:
    case status.FAILED_PRECONDITION:
      return 'REJECTED';
    default:
      return 'FAILED';
  }
}

/** A wire Value as a scalar: INT64 as a number, TIMESTAMP as epoch ms, null_reason (or nothing set) as null. */
function scalarOf(value: commonV1.Value): FeatureScalar {
  if (value.doubleValue != null) return value.doubleValue;
  if (value.int64Value != null) return Number(value.int64Value);
  if (value.boolValue != null) return value.boolValue;
  if (value.stringValue != null) return value.stringValue;
  if (value.timestampValue != null) return fromTimestamp(value.timestampValue)?.getTime() ?? null;
  return null;
}

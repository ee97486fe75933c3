import { type Client, type ClientReadableStream, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { commonV1, featuresV1 } from '@strata/contracts';
import { TRAINING_CONFIG, type TrainingConfig } from '../config/training.config';
import { callUnary, createStrataClient, fromTimestamp, grpcErrorText, isTransientGrpcError, toTimestamp, type UnaryMethod } from '@strata/service-runtime';
import { type Cell, type ColumnType, type DatasetColumn, type DatasetSnapshot, FeatureStore, FeatureStoreError, type MissingReferences, type TrainingSetRequest } from './feature-store';

/** Building a training set may take minutes (the proto asks callers for a deadline of several minutes). */
const BUILD_DEADLINE_MS = 15 * 60_000;
const LOOKUP_DEADLINE_MS = 10_000;
const READ_BATCH_ROWS = 10_000;

interface FeatureServiceClient extends Client {
  GetFeatureSet: UnaryMethod<featuresV1.GetFeatureSetRequest, featuresV1.GetFeatureSetResponse>;
  GetSource: UnaryMethod<featuresV1.GetSourceRequest, featuresV1.GetSourceResponse>;
  GetHistoricalFeatures: UnaryMethod<featuresV1.GetHistoricalFeaturesRequest, featuresV1.GetHistoricalFeaturesResponse>;
  ReadDataset(request: featuresV1.ReadDatasetRequest, metadata: Metadata): ClientReadableStream<featuresV1.ReadDatasetResponse>;
}

/** {@link FeatureStore} over strata.features.v1 at FEATURE_SERVICE_ADDRESS. */
@Injectable()
export class GrpcFeatureStore extends FeatureStore implements OnModuleDestroy {
  private client: FeatureServiceClient | undefined;

  constructor(@Inject(TRAINING_CONFIG) private readonly config: Pick<TrainingConfig, 'featureServiceAddress'>) {
    super();
  }

  onModuleDestroy(): void {
    this.client?.close();
    this.client = undefined;
  }

  async findMissing(featureSets: TrainingSetRequest['featureSets'], sources: readonly string[]): Promise<MissingReferences> {
    const client = this.connect();
    const exists = async (call: Promise<unknown>): Promise<boolean> =>
      call.then(
        () => true,
        (error: ServiceError) => {
          if (error.code === status.NOT_FOUND) return false;
          throw new FeatureStoreError(`the feature service could not be asked: ${grpcErrorText(error)}`, true);
        },
      );
    const setAnswers = await Promise.all(featureSets.map((ref) => exists(callUnary(client, client.GetFeatureSet, { featureSet: ref }, new Metadata(), LOOKUP_DEADLINE_MS))));
    const sourceAnswers = await Promise.all(sources.map((name) => exists(callUnary(client, client.GetSource, { name, version: 0 }, new Metadata(), LOOKUP_DEADLINE_MS))));
    return { featureSets: featureSets.filter((_, i) => setAnswers[i] === false), sources: sources.filter((_, i) => sourceAnswers[i] === false) };
  }

  async buildTrainingSet(request: TrainingSetRequest, signal: AbortSignal): Promise<DatasetSnapshot> {
    const client = this.connect();
    const message: featuresV1.GetHistoricalFeaturesRequest = {
      featureSets: request.featureSets.map((ref) => ({ name: ref.name, version: ref.version })),
      query: {
        source: request.source,
        timeRange: { start: toTimestamp(new Date(request.timeRange.start)), end: toTimestamp(new Date(request.timeRange.end)) },
        extraFields: [...request.extraFields],
        filter: request.filter,
      },
      features: [...request.features],
    };
    signal.throwIfAborted();
    try {
      const response = await callUnary(client, client.GetHistoricalFeatures, message, new Metadata(), BUILD_DEADLINE_MS);
      if (response.dataset == null) throw new FeatureStoreError('GetHistoricalFeatures answered without a dataset', true);
      return snapshotOf(response.dataset);
    } catch (error) {
      throw storeErrorOf('build the training set', error);
    }
  }

  async *readRows(snapshotId: string, signal: AbortSignal): AsyncIterable<readonly Cell[][]> {
    const client = this.connect();
    const call = client.ReadDataset({ datasetId: snapshotId, startRow: '0', batchSize: READ_BATCH_ROWS } as featuresV1.ReadDatasetRequest, new Metadata());
    const cancel = (): void => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for await (const message of call as AsyncIterable<featuresV1.ReadDatasetResponse>) {
        if (message.batch != null) yield message.batch.rows.map((row) => row.values.map(cellOf));
      }
    } catch (error) {
      signal.throwIfAborted();
      throw storeErrorOf(`read dataset ${snapshotId}`, error);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  private connect(): FeatureServiceClient {
    const address = this.config.featureServiceAddress;
    if (address === undefined || address === '') throw new FeatureStoreError('FEATURE_SERVICE_ADDRESS is not set: the runner cannot ask the feature service for training sets', true);
    this.client ??= createStrataClient<FeatureServiceClient>('featuresV1', 'FeatureService', address);
    return this.client;
  }
}

function storeErrorOf(what: string, error: unknown): Error {
  if (error instanceof FeatureStoreError) return error;
  const transient = isTransientGrpcError(error);
  return new FeatureStoreError(`the feature service could not ${what}: ${grpcErrorText(error)}`, transient);
}

const TYPES: Readonly<Record<string, ColumnType>> = {
  VALUE_TYPE_DOUBLE: 'DOUBLE',
  VALUE_TYPE_INT64: 'INT64',
  VALUE_TYPE_STRING: 'STRING',
  VALUE_TYPE_BOOL: 'BOOL',
  VALUE_TYPE_TIMESTAMP: 'TIMESTAMP',
};
const ROLES: Readonly<Record<string, DatasetColumn['role']>> = {
  COLUMN_ROLE_ENTITY_ID: 'entity_id',
  COLUMN_ROLE_TIMESTAMP: 'timestamp',
  COLUMN_ROLE_FEATURE: 'feature',
  COLUMN_ROLE_EXTRA: 'extra',
};

function snapshotOf(dataset: featuresV1.DatasetSnapshot): DatasetSnapshot {
  return {
    id: dataset.id,
    digest: dataset.digest,
    rowCount: Number(dataset.rowCount),
    columns: (dataset.schema?.columns ?? []).map((column) => ({ name: column.name, type: TYPES[column.type] ?? 'STRING', role: ROLES[column.role] ?? 'extra' })),
    featureContracts: dataset.featureContracts.map((contract) => ({ name: contract.featureSet?.name ?? '', version: contract.featureSet?.version ?? 0, digest: contract.digest })),
  };
}

/** A wire Value as a cell (proto-loader: `kind` names the set member; int64 arrives as a string). */
function cellOf(value: commonV1.Value): Cell {
  const wire = value as commonV1.Value & { kind?: string };
  switch (wire.kind) {
    case 'doubleValue':
      return wire.doubleValue ?? null;
    case 'int64Value':
      return Number(wire.int64Value);
    case 'stringValue':
      return wire.stringValue ?? null;
    case 'boolValue':
      return wire.boolValue ?? null;
    case 'timestampValue':
      return fromTimestamp(wire.timestampValue)?.getTime() ?? null;
    default:
      return null;
  }
}

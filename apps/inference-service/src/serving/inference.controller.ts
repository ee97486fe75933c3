import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { commonV1, inferenceV1 } from '@strata/contracts';
import { type Metadata, type ServerUnaryCall, status } from '@grpc/grpc-js';
import { durationToMs, FailedPreconditionError, InvalidArgumentError, NotFoundError, ServiceError, toTimestamp } from '@strata/service-runtime';
import type { FeatureScalar } from '../features';
import { type InferenceTensor, InvalidInputError } from '../model-runtime';
import { inputFieldOf } from '../predict/tensor-values';
import { toInferenceTensor, toWireTensor } from '../predict/tensor.mapper';
import { ModelCatalog } from './model-catalog';
import { modelStatusOf, type ModelStatusView } from './model-status';
import { checkPredictionRows } from './prediction-limits';
import { type Prediction, type PredictionRequest, PredictionService } from './prediction.service';
import { ReleaseLoader } from './release-loader';
import { announceServedBy, featureContractLabel } from './response-metadata';

/** strata.inference.v1.InferenceService: Predict, GetModelStatus and ListModels. */
@Controller()
export class InferenceController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly catalog: ModelCatalog,
    private readonly releases: ReleaseLoader,
  ) {}

  @GrpcMethod('InferenceService', 'Predict')
  async predict(request: inferenceV1.PredictRequest, _metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<inferenceV1.PredictResponse> {
    const prediction = await this.predictions.predict(predictionRequestOf(request));
    announceServedBy({ modelName: prediction.modelName, version: prediction.version, featureContracts: contractLabels(prediction) }, call);
    return toPredictResponse(prediction);
  }

  /** Each request as Predict would answer it; one failing does not fail the others. */
  @GrpcMethod('InferenceService', 'PredictBatch')
  async predictBatch(request: inferenceV1.PredictBatchRequest): Promise<inferenceV1.PredictBatchResponse> {
    if (request.requests.length === 0 || request.requests.length > MAX_BATCH_REQUESTS) {
      throw new InvalidArgumentError(`requests has ${request.requests.length} entries; send 1 to ${MAX_BATCH_REQUESTS}`, [{ field: 'requests', description: `1 to ${MAX_BATCH_REQUESTS} requests` }]);
    }
    const results = await Promise.all(
      request.requests.map(async (item): Promise<inferenceV1.PredictBatchResult> => {
        try {
          return { response: toPredictResponse(await this.predictions.predict(predictionRequestOf(item))) } as inferenceV1.PredictBatchResult;
        } catch (error) {
          return { error: batchItemErrorOf(error) } as inferenceV1.PredictBatchResult;
        }
      }),
    );
    return { results };
  }

  @GrpcMethod('InferenceService', 'GetModelStatus')
  getModelStatus(request: inferenceV1.GetModelStatusRequest): inferenceV1.GetModelStatusResponse {
    const served = this.catalog.find(request.modelName);
    if (served === undefined) throw new NotFoundError(`model ${request.modelName} has no releases known to this replica`);
    return { status: this.statusMessage(modelStatusOf(request.modelName, served.status(), this.catalog.policyOf(request.modelName), this.releases.loading(request.modelName))) };
  }

  @GrpcMethod('InferenceService', 'ListModels')
  listModels(): inferenceV1.ListModelsResponse {
    const models = this.catalog.names().map((name) => this.statusMessage(modelStatusOf(name, this.catalog.served(name).status(), this.catalog.policyOf(name), this.releases.loading(name))));
    return { models, page: { nextPageToken: '' } } as inferenceV1.ListModelsResponse;
  }

  private pinnedStatus(modelName: string): ModelStatusView['versions'] {
    return this.predictions.pinnedVersions(modelName).map((pin) => ({ version: pin.version, state: 'ready', aliases: [], sha256: pin.sha256, readyAt: pin.loadedAt, inFlight: pin.inFlight, lastLoadError: '' }));
  }

  private statusMessage(view: ModelStatusView): inferenceV1.ModelStatus {
    return {
      modelName: view.modelName,
      ready: view.ready,
      versions: [...view.versions, ...this.pinnedStatus(view.modelName)].map((version) => ({
        version: version.version,
        state: LOAD_STATES[version.state],
        lastLoadError: version.lastLoadError,
        aliases: [...version.aliases],
        artifactSha256: version.sha256,
        readyAt: version.readyAt === undefined ? null : toTimestamp(version.readyAt),
        inFlight: version.inFlight,
      })),
      aliases: { ...view.aliases },
      traffic: view.traffic.map((share) => ({ ...share })),
      comparisons: this.predictions.comparisons.comparisons(view.modelName).map((comparison) => ({
        kind: comparison.kind === 'shadow' ? 'COMPARISON_KIND_SHADOW' : 'COMPARISON_KIND_CANARY',
        primaryAlias: comparison.primaryAlias,
        primaryVersion: comparison.primaryVersion,
        candidateAlias: comparison.candidateAlias,
        candidateVersion: comparison.candidateVersion,
        sampleCount: String(comparison.sampleCount),
        ...(comparison.agreementRate === undefined ? {} : { agreementRate: comparison.agreementRate }),
        ...(comparison.meanAbsDiff === undefined ? {} : { meanAbsDiff: comparison.meanAbsDiff }),
        p50LatencyDeltaUs: String(comparison.p50LatencyDeltaUs),
        p99LatencyDeltaUs: String(comparison.p99LatencyDeltaUs),
        errorRateDelta: comparison.errorRateDelta,
        windowStart: toTimestamp(comparison.windowStart),
      })),
      releaseRevision: String(this.releases.revision()),
    } as unknown as inferenceV1.ModelStatus;
  }
}

const LOAD_STATES = { ready: 'MODEL_LOAD_STATE_READY', failed: 'MODEL_LOAD_STATE_FAILED', loading: 'MODEL_LOAD_STATE_LOADING' } as const;

/** Most requests in one PredictBatch call. */
const MAX_BATCH_REQUESTS = 1000;

function predictionRequestOf(request: inferenceV1.PredictRequest): PredictionRequest {
  if (request.model == null || request.model.name === '') throw new InvalidArgumentError('model.name is required', [{ field: 'model.name', description: 'required' }]);
  const rows = request.rows.map((row, index) => ({ entityId: row.entityId, features: Object.fromEntries(Object.entries(row.features).map(([name, value]) => [name, scalarOf(value, `rows[${index}].features.${name}`)])) }));
  checkPredictionRows(rows);
  return {
    modelName: request.model.name,
    ...(request.model.version == null || request.model.version === 0 ? {} : { version: request.model.version }),
    ...(request.model.alias == null || request.model.alias === '' ? {} : { alias: request.model.alias }),
    inputs: inputsOf(request.inputs),
    routingKey: request.routingKey,
    outputNames: request.outputNames,
    rows,
    strictFeatures: request.strictFeatures,
    ...(request.maxFeatureStaleness == null ? {} : { maxFeatureStalenessMs: durationToMs(request.maxFeatureStaleness, 'max_feature_staleness') }),
    ...(request.featureSet == null || request.featureSet.name === '' ? {} : { featureSet: { name: request.featureSet.name, version: request.featureSet.version } }),
  };
}

/** A wire Value as a plain scalar (null for a null value); timestamps are refused with the field. */
function scalarOf(value: commonV1.Value | undefined, field: string): FeatureScalar {
  if (value == null) return null;
  if (value.doubleValue != null) return value.doubleValue;
  if (value.int64Value != null) return Number(value.int64Value);
  if (value.boolValue != null) return value.boolValue;
  if (value.stringValue != null) return value.stringValue;
  if (value.timestampValue != null) throw new InvalidArgumentError(`${field} is a timestamp; model features are numbers or booleans`, [{ field, description: 'a number or boolean' }]);
  return null;
}

function toPredictResponse(prediction: Prediction): inferenceV1.PredictResponse {
  const { degradation } = prediction;
  const [contract] = prediction.featureContracts;
  return {
    outputs: Object.entries(prediction.outputs).map(([name, tensor]) => toWireTensor(name, tensor)),
    modelName: prediction.modelName,
    modelVersion: prediction.version,
    alias: prediction.alias,
    featureContract: contract === undefined ? null : { featureSet: { name: contract.name, version: contract.version }, digest: contract.digest },
    degradation: {
      featuresStale: degradation.featuresStale,
      featuresDefaulted: degradation.featuresDefaulted,
      featuresMissing: degradation.featuresMissing,
      featureFetchFailed: degradation.featureFetchFailed,
      versionFallback: prediction.versionFallback,
      featureIssues: degradation.issues.map((issue) => ({ entityId: issue.entityId, feature: issue.feature, status: `FEATURE_STATUS_${issue.status}` })),
    },
    timings: { ...prediction.timings },
  } as unknown as inferenceV1.PredictResponse;
}

/** `strata-feature-contract` labels of a prediction's contracts. */
export function contractLabels(prediction: Prediction): string[] {
  return prediction.featureContracts.map(featureContractLabel);
}

/** A failed batch item, as the single call would have failed. */
function batchItemErrorOf(error: unknown): inferenceV1.PredictBatchResult['error'] {
  if (!(error instanceof ServiceError)) return { code: status.INTERNAL, message: 'internal error (see the service log)', reason: '', fieldViolations: [], preconditionViolations: [] } as never;
  return {
    code: error.code,
    message: error.message,
    reason: '',
    fieldViolations: error instanceof InvalidArgumentError ? error.fieldViolations.map((violation) => ({ ...violation })) : [],
    preconditionViolations: error instanceof FailedPreconditionError ? error.violations.map((violation) => ({ ...violation })) : [],
  } as never;
}

/** The request's tensors by name; a malformed one is INVALID_ARGUMENT naming it. */
function inputsOf(tensors: readonly inferenceV1.PredictRequest['inputs'][number][]): Record<string, InferenceTensor> {
  try {
    return Object.fromEntries(tensors.map((tensor) => [tensor.name, toInferenceTensor(tensor)]));
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidArgumentError(error.message, [{ field: inputFieldOf(error), description: error.message }]);
    throw error;
  }
}

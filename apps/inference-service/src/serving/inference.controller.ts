import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { inferenceV1 } from '@strata/contracts';
import { type Metadata, type ServerUnaryCall, status } from '@grpc/grpc-js';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, ServiceError, toTimestamp } from '@strata/service-runtime';
import { type InferenceTensor, InvalidInputError } from '../model-runtime';
import { toInferenceTensor, toWireTensor } from '../predict/tensor.mapper';
import { ModelCatalog } from './model-catalog';
import { modelStatusOf, type ModelStatusView } from './model-status';
import { type Prediction, type PredictionRequest, PredictionService } from './prediction.service';
import { ReleaseLoader } from './release-loader';
import { announceServedBy } from './response-metadata';

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
    announceServedBy({ modelName: prediction.modelName, version: prediction.version, featureContracts: [] }, call);
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
    return { status: this.statusMessage(modelStatusOf(request.modelName, served.status(), this.catalog.policyOf(request.modelName))) };
  }

  @GrpcMethod('InferenceService', 'ListModels')
  listModels(): inferenceV1.ListModelsResponse {
    const models = this.catalog.names().map((name) => this.statusMessage(modelStatusOf(name, this.catalog.served(name).status(), this.catalog.policyOf(name))));
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
        state: version.state === 'ready' ? 'MODEL_LOAD_STATE_READY' : 'MODEL_LOAD_STATE_FAILED',
        lastLoadError: version.lastLoadError,
        aliases: [...version.aliases],
        artifactSha256: version.sha256,
        readyAt: version.readyAt === undefined ? null : toTimestamp(version.readyAt),
        inFlight: version.inFlight,
      })),
      aliases: { ...view.aliases },
      traffic: view.traffic.map((share) => ({ ...share })),
      comparisons: [],
      releaseRevision: String(this.releases.revision()),
    } as unknown as inferenceV1.ModelStatus;
  }
}

/** Most requests in one PredictBatch call. */
const MAX_BATCH_REQUESTS = 1000;

function predictionRequestOf(request: inferenceV1.PredictRequest): PredictionRequest {
  if (request.model == null || request.model.name === '') throw new InvalidArgumentError('model.name is required', [{ field: 'model.name', description: 'required' }]);
  if (request.rows.length > 0) {
    throw new InvalidArgumentError('rows (entity IDs and request-time features) are not served yet: pass every model input as a tensor in `inputs`', [{ field: 'rows', description: 'not supported yet' }]);
  }
  return {
    modelName: request.model.name,
    ...(request.model.version == null || request.model.version === 0 ? {} : { version: request.model.version }),
    ...(request.model.alias == null || request.model.alias === '' ? {} : { alias: request.model.alias }),
    inputs: inputsOf(request.inputs),
    routingKey: request.routingKey,
    outputNames: request.outputNames,
  };
}

function toPredictResponse(prediction: Prediction): inferenceV1.PredictResponse {
  return {
    outputs: Object.entries(prediction.outputs).map(([name, tensor]) => toWireTensor(name, tensor)),
    modelName: prediction.modelName,
    modelVersion: prediction.version,
    alias: prediction.alias,
    degradation: { featuresStale: false, featuresDefaulted: false, featuresMissing: false, featureFetchFailed: false, versionFallback: prediction.versionFallback, featureIssues: [] },
    timings: { ...prediction.timings },
  } as unknown as inferenceV1.PredictResponse;
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
    if (error instanceof InvalidInputError) throw new InvalidArgumentError(error.message, [{ field: `inputs[${error.field}]`, description: error.message }]);
    throw error;
  }
}

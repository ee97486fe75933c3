import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { inferenceV1 } from '@strata/contracts';
import { InvalidArgumentError, NotFoundError, toTimestamp } from '@strata/service-runtime';
import { type InferenceTensor, InvalidInputError } from '../model-runtime';
import { toInferenceTensor, toWireTensor } from '../predict/tensor.mapper';
import { ModelCatalog } from './model-catalog';
import { modelStatusOf, type ModelStatusView } from './model-status';
import { PredictionService } from './prediction.service';
import { ReleaseLoader } from './release-loader';

/** strata.inference.v1.InferenceService: Predict, GetModelStatus and ListModels. */
@Controller()
export class InferenceController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly catalog: ModelCatalog,
    private readonly releases: ReleaseLoader,
  ) {}

  @GrpcMethod('InferenceService', 'Predict')
  async predict(request: inferenceV1.PredictRequest): Promise<inferenceV1.PredictResponse> {
    if (request.model == null || request.model.name === '') throw new InvalidArgumentError('model.name is required', [{ field: 'model.name', description: 'required' }]);
    if (request.rows.length > 0) {
      throw new InvalidArgumentError('rows (entity IDs and request-time features) are not served yet: pass every model input as a tensor in `inputs`', [{ field: 'rows', description: 'not supported yet' }]);
    }
    const inputs = inputsOf(request.inputs);
    const prediction = await this.predictions.predict({
      modelName: request.model.name,
      ...(request.model.version == null || request.model.version === 0 ? {} : { version: request.model.version }),
      ...(request.model.alias == null || request.model.alias === '' ? {} : { alias: request.model.alias }),
      inputs,
      routingKey: request.routingKey,
      outputNames: request.outputNames,
    });
    return {
      outputs: Object.entries(prediction.outputs).map(([name, tensor]) => toWireTensor(name, tensor)),
      modelName: prediction.modelName,
      modelVersion: prediction.version,
      alias: prediction.alias,
      timings: { featureFetchUs: 0, queueUs: 0, inferenceUs: Math.round(prediction.computeMs * 1000), totalUs: Math.round(prediction.computeMs * 1000) },
    } as unknown as inferenceV1.PredictResponse;
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

  private statusMessage(view: ModelStatusView): inferenceV1.ModelStatus {
    return {
      modelName: view.modelName,
      ready: view.ready,
      versions: view.versions.map((version) => ({
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


/** The request's tensors by name; a malformed one is INVALID_ARGUMENT naming it. */
function inputsOf(tensors: readonly inferenceV1.PredictRequest['inputs'][number][]): Record<string, InferenceTensor> {
  try {
    return Object.fromEntries(tensors.map((tensor) => [tensor.name, toInferenceTensor(tensor)]));
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidArgumentError(error.message, [{ field: `inputs[${error.field}]`, description: error.message }]);
    throw error;
  }
}

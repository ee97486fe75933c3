import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { oipV1 } from '@strata/contracts';
import type { TensorSpec } from '@strata/onnx';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/service-runtime';

import { type InferenceTensor, InvalidInputError, type ModelSignature, type ServedModel } from '../model-runtime';
import { inputFieldOf } from '../predict/tensor-values';
import { ModelCatalog } from '../serving/model-catalog';
import { MODEL_NOT_READY_RETRY_MS } from '../serving/model-not-ready';
import { modelStatusOf } from '../serving/model-status';
import { PredictionService } from '../serving/prediction.service';
import { announceServedBy } from '../serving/response-metadata';
import { fromOipInput, toOipOutput } from './oip-tensor.mapper';

export const OIP_SERVER_NAME = 'strata-inference';
export const OIP_SERVER_VERSION = '0.1.0';
export const OIP_PLATFORM = 'onnxruntime_onnx';
/** The alias an Open Inference request without a version is about (ModelReady, ModelMetadata). */
const DEFAULT_ALIAS = 'production';

/**
 * inference.GRPCInferenceService (Open Inference Protocol v2) over the same catalog and
 * prediction path as strata.inference.v1.InferenceService. Versions are decimal strings; a
 * request without a version means the production alias (ModelReady, ModelMetadata) or the
 * model's traffic policy (ModelInfer, routed by the request id).
 */
@Controller()
export class OpenInferenceController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly catalog: ModelCatalog,
  ) {}

  @GrpcMethod('GRPCInferenceService', 'ServerLive')
  serverLive(): oipV1.ServerLiveResponse {
    return { live: true };
  }

  /** Ready when every known model has a loaded version for each alias its traffic policy sends traffic to. */
  @GrpcMethod('GRPCInferenceService', 'ServerReady')
  serverReady(): oipV1.ServerReadyResponse {
    const ready = this.catalog.names().every((name) => modelStatusOf(name, this.catalog.served(name).status(), this.catalog.policyOf(name)).ready);
    return { ready };
  }

  @GrpcMethod('GRPCInferenceService', 'ServerMetadata')
  serverMetadata(): oipV1.ServerMetadataResponse {
    return { name: OIP_SERVER_NAME, version: OIP_SERVER_VERSION, extensions: [] };
  }

  @GrpcMethod('GRPCInferenceService', 'ModelReady')
  modelReady(request: oipV1.ModelReadyRequest): oipV1.ModelReadyResponse {
    const served = this.servedOrNotFound(request.name);
    if (request.version === '') return { ready: served.isLoaded(DEFAULT_ALIAS) };
    const version = versionOf(request.version);
    const held = [...served.status().map((status) => status.version), ...this.predictions.pinnedVersions(request.name).map((pin) => pin.version)];
    return { ready: version !== undefined && held.includes(version) };
  }

  @GrpcMethod('GRPCInferenceService', 'ModelMetadata')
  async modelMetadata(request: oipV1.ModelMetadataRequest): Promise<oipV1.ModelMetadataResponse> {
    const served = this.servedOrNotFound(request.name);
    const loaded = served.status().flatMap((status) => (status.version === undefined ? [] : [{ alias: status.alias, version: status.version }]));
    let signature: ModelSignature;
    if (request.version === '') {
      const alias = loaded.find((entry) => entry.alias === DEFAULT_ALIAS)?.alias ?? [...loaded].sort((a, b) => b.version - a.version)[0]?.alias;
      if (alias === undefined) throw new UnavailableError(`model ${request.name} has no loaded version yet; retry with backoff`, MODEL_NOT_READY_RETRY_MS);
      signature = await this.predictions.signatureOf(request.name, { alias });
    } else {
      const version = versionOf(request.version);
      if (version === undefined) throw new NotFoundError(`model ${request.name} has no version "${request.version}" (versions are positive integers)`);
      signature = await this.predictions.signatureOf(request.name, { version });
    }
    const versions = [...loaded.map((entry) => entry.version), ...this.predictions.pinnedVersions(request.name).map((pin) => pin.version)];
    return {
      name: request.name,
      versions: [...new Set(versions)].sort((a, b) => a - b).map(String),
      platform: OIP_PLATFORM,
      inputs: signature.inputs.map(tensorMetadata),
      outputs: signature.outputs.map(tensorMetadata),
    };
  }

  @GrpcMethod('GRPCInferenceService', 'ModelInfer')
  async modelInfer(request: oipV1.ModelInferRequest, _metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<oipV1.ModelInferResponse> {
    if (request.modelName === '') throw new InvalidArgumentError('model_name is required', [{ field: 'model_name', description: 'required' }]);
    this.servedOrNotFound(request.modelName);
    let version: number | undefined;
    if (request.modelVersion !== '') {
      version = versionOf(request.modelVersion);
      if (version === undefined) throw new NotFoundError(`model ${request.modelName} has no version "${request.modelVersion}" (versions are positive integers)`);
    }
    const prediction = await this.predictions.predict({
      modelName: request.modelName,
      ...(version === undefined ? {} : { version }),
      inputs: inputsOf(request),
      routingKey: request.id,
      outputNames: (request.outputs ?? []).map((output) => output.name),
      rows: [],
      strictFeatures: false,
    });
    announceServedBy({ modelName: prediction.modelName, version: prediction.version, featureContracts: [] }, call);
    return {
      modelName: prediction.modelName,
      modelVersion: String(prediction.version),
      id: request.id,
      parameters: {},
      outputs: Object.entries(prediction.outputs).map(([name, tensor]) => toOipOutput(name, tensor)),
      rawOutputContents: [],
    };
  }

  private servedOrNotFound(name: string): ServedModel {
    const served = this.catalog.find(name);
    if (served === undefined) throw new NotFoundError(`model ${name} is not released to this service`);
    return served;
  }
}

/** A positive decimal version, or `undefined` when the string is not one. */
function versionOf(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const version = Number(text);
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
}

/** Shape with -1 for dynamic dimensions; a model that declares no rank reports an empty shape. */
function tensorMetadata(spec: TensorSpec): oipV1.ModelMetadataResponse_TensorMetadata {
  return { name: spec.name, datatype: spec.datatype, shape: spec.shape.map(String) };
}

/**
 * The request's inputs by name; raw_input_contents, when sent, has one entry per input in
 * order. A malformed input is INVALID_ARGUMENT naming it.
 */
function inputsOf(request: oipV1.ModelInferRequest): Record<string, InferenceTensor> {
  const raw = request.rawInputContents ?? [];
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    throw new InvalidArgumentError(`raw_input_contents has ${raw.length} entries for ${request.inputs.length} inputs`, [
      { field: 'raw_input_contents', description: 'needs one entry per input, in the order of inputs' },
    ]);
  }
  const inputs: Record<string, InferenceTensor> = {};
  request.inputs.forEach((input, index) => {
    if (Object.prototype.hasOwnProperty.call(inputs, input.name)) {
      throw new InvalidArgumentError(`input "${input.name}" is sent twice`, [{ field: `inputs[${input.name}]`, description: 'sent twice' }]);
    }
    try {
      inputs[input.name] = fromOipInput(input, raw.length > 0 ? raw[index] : undefined);
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidArgumentError(error.message, [{ field: inputFieldOf(error), description: error.message }]);
      throw error;
    }
  });
  return inputs;
}

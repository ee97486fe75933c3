import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { callerOf, RequireRoles } from '../auth/auth.guard';
import { modelFilterOf, newModelOf, pageRequestOf, toModelMessage } from './model.mapper';
import { ModelService } from './model.service';

/** CreateModel, GetModel and ListModels of strata.registry.v1.RegistryService. */
@Controller()
export class ModelController {
  constructor(private readonly models: ModelService) {}

  @GrpcMethod('RegistryService', 'CreateModel')
  @RequireRoles('ci', 'admin')
  async createModel(request: registryV1.CreateModelRequest, metadata: Metadata): Promise<registryV1.CreateModelResponse> {
    const { model, created } = await this.models.create(newModelOf(request), callerOf(metadata));
    return { model: toModelMessage(model), created };
  }

  @GrpcMethod('RegistryService', 'GetModel')
  async getModel(request: registryV1.GetModelRequest): Promise<registryV1.GetModelResponse> {
    return { model: toModelMessage(await this.models.get(request.name)) };
  }

  @GrpcMethod('RegistryService', 'ListModels')
  async listModels(request: registryV1.ListModelsRequest): Promise<registryV1.ListModelsResponse> {
    const page = await this.models.list(modelFilterOf(request), pageRequestOf(request.page));
    return { models: page.items.map(toModelMessage), page: { nextPageToken: page.nextPageToken } };
  }
}

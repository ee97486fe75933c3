import type { Metadata } from '@grpc/grpc-js';
import { Controller, UseGuards } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { gatewayV1 } from '@strata/contracts';
import { adminCallerOf, AdminAuthGuard } from '../admin-auth/admin-auth.guard';
import { apiKeyRequestOf, pageRequestOf, toApiKeyMessage } from './api-key.mapper';
import { ApiKeyService } from './api-key.service';

/** strata.gateway.v1.ApiKeyAdminService: every RPC needs an admin token. */
@Controller()
@UseGuards(AdminAuthGuard)
export class ApiKeyAdminController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @GrpcMethod('ApiKeyAdminService', 'CreateApiKey')
  async createApiKey(request: gatewayV1.CreateApiKeyRequest, metadata: Metadata): Promise<gatewayV1.CreateApiKeyResponse> {
    const { apiKey, secret } = await this.apiKeys.create(apiKeyRequestOf(request), adminCallerOf(metadata));
    return { apiKey: toApiKeyMessage(apiKey), secret };
  }

  @GrpcMethod('ApiKeyAdminService', 'RevokeApiKey')
  async revokeApiKey(request: gatewayV1.RevokeApiKeyRequest, metadata: Metadata): Promise<gatewayV1.RevokeApiKeyResponse> {
    return { apiKey: toApiKeyMessage(await this.apiKeys.revoke(request.id, request.reason, adminCallerOf(metadata))) };
  }

  @GrpcMethod('ApiKeyAdminService', 'ListApiKeys')
  async listApiKeys(request: gatewayV1.ListApiKeysRequest): Promise<gatewayV1.ListApiKeysResponse> {
    const page = await this.apiKeys.list(request.includeInactive, pageRequestOf(request.page));
    return { apiKeys: page.items.map(toApiKeyMessage), page: { nextPageToken: page.nextPageToken } };
  }
}

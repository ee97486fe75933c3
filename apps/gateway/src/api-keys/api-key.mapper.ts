import type { gatewayV1 } from '@strata/contracts';
import { fromTimestamp, type PageRequest, toTimestamp } from '@strata/service-runtime';
import type { ApiKey, ApiKeyRequest } from './api-key';

/** CreateApiKeyRequest as the domain's request (validated by ApiKeyService). */
export function apiKeyRequestOf(request: gatewayV1.CreateApiKeyRequest): ApiKeyRequest {
  return {
    name: request.name,
    allowedModels: [...request.allowedModels],
    rateLimitPerSecond: request.rateLimit?.requestsPerSecond ?? 0,
    burst: request.rateLimit?.burst ?? 0,
    expiresAt: fromTimestamp(request.expiresAt),
    description: request.description,
  };
}

/** Paging of a request; an unset PageRequest is the first page at the default size. */
export function pageRequestOf(page: { pageSize: number; pageToken: string } | null | undefined): PageRequest {
  return { pageSize: page?.pageSize ?? 0, pageToken: page?.pageToken ?? '' };
}

/** A key on the wire: never its secret or hash. The rate limit is as stored (0 = gateway default). */
export function toApiKeyMessage(key: ApiKey): gatewayV1.ApiKey {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    allowedModels: [...key.allowedModels],
    rateLimit: { requestsPerSecond: key.rateLimitPerSecond ?? 0, burst: key.burst ?? 0 },
    createdBy: key.createdBy,
    createdAt: toTimestamp(key.createdAt),
    expiresAt: key.expiresAt === undefined ? undefined : toTimestamp(key.expiresAt),
    revokedAt: key.revokedAt === undefined ? undefined : toTimestamp(key.revokedAt),
    lastUsedAt: key.lastUsedAt === undefined ? undefined : toTimestamp(key.lastUsedAt),
    description: key.description,
  };
}

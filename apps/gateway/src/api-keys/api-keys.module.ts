import { Module } from '@nestjs/common';
import { LOGGER } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { AdminAuthModule } from '../admin-auth/admin-auth.module';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ApiKeyAdminController } from './api-key-admin.controller';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { ApiKeyVerifier } from './api-key.verifier';
import { Clock, SystemClock } from './clock';

/** API keys: ApiKeyAdminService (admin token required) and the request path's ApiKeyVerifier. */
@Module({
  imports: [AdminAuthModule],
  controllers: [ApiKeyAdminController],
  providers: [
    ApiKeyRepository,
    { provide: Clock, useClass: SystemClock },
    {
      provide: ApiKeyVerifier,
      inject: [ApiKeyRepository, Clock, GATEWAY_CONFIG, LOGGER],
      useFactory: (repository: ApiKeyRepository, clock: Clock, config: GatewayConfig, logger: Logger) =>
        new ApiKeyVerifier(repository, clock, { cacheTtlMs: config.cacheTtl, defaultRateLimitPerSecond: config.defaultRateLimitPerSecond }, logger.child({ component: 'api-keys' })),
    },
    {
      provide: ApiKeyService,
      inject: [ApiKeyRepository, Clock, ApiKeyVerifier, LOGGER],
      useFactory: (repository: ApiKeyRepository, clock: Clock, verifier: ApiKeyVerifier, logger: Logger) => new ApiKeyService(repository, clock, verifier, logger.child({ component: 'api-keys' })),
    },
  ],
  exports: [ApiKeyVerifier],
})
export class ApiKeysModule {}

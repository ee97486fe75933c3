import { Module } from '@nestjs/common';
import { LOGGER } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminTokenRegistry } from './admin-token-registry';

/** Admin bearer tokens (GATEWAY_ADMIN_TOKENS) and the guard of admin RPCs. */
@Module({
  providers: [
    AdminAuthGuard,
    {
      provide: AdminTokenRegistry,
      inject: [GATEWAY_CONFIG, LOGGER],
      useFactory: (config: GatewayConfig, logger: Logger) => {
        const tokens = new AdminTokenRegistry(config.gatewayAdminTokens);
        if (tokens.size === 0) logger.warn('GATEWAY_ADMIN_TOKENS is empty: every ApiKeyAdminService call will be refused (UNAUTHENTICATED)');
        return tokens;
      },
    },
  ],
  exports: [AdminAuthGuard, AdminTokenRegistry],
})
export class AdminAuthModule {}

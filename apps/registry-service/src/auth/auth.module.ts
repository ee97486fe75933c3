import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LOGGER } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { AuthGuard } from './auth.guard';
import { TokenRegistry } from './token-registry';

/** Bearer-token authentication and role checks for every mutating RPC. */
@Global()
@Module({
  providers: [
    {
      provide: TokenRegistry,
      inject: [REGISTRY_CONFIG, LOGGER],
      useFactory: (config: RegistryConfig, logger: Logger) => {
        const tokens = new TokenRegistry(config.registryTokens);
        if (tokens.size === 0) logger.warn('REGISTRY_TOKENS is empty: every mutating call will be refused (UNAUTHENTICATED)');
        return tokens;
      },
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenRegistry],
})
export class AuthModule {}

import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { GATEWAY_CONFIG, gatewayConfigProvider } from './config/gateway.config';
import { PrismaClient } from './generated/prisma/client';
import { PredictionsModule } from './predictions/predictions.module';

/** Settings and the database client, shared by every domain module of the gateway. */
@Global()
@Module({
  providers: [gatewayConfigProvider, prismaClientProvider(PrismaClient)],
  exports: [GATEWAY_CONFIG, PrismaClient],
})
class GatewayCoreModule {}

/** Root module of gateway: one module per domain noun under src/. */
@Module({
  imports: [GatewayCoreModule, ApiKeysModule, PredictionsModule],
})
export class AppModule {}

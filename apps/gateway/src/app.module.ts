import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { GATEWAY_CONFIG, gatewayConfigProvider } from './config/gateway.config';
import { PrismaClient } from './generated/prisma/client';

/** Settings and the database client, shared by every domain module of the gateway. */
@Global()
@Module({
  providers: [gatewayConfigProvider, prismaClientProvider(PrismaClient)],
  exports: [GATEWAY_CONFIG, PrismaClient],
})
class GatewayCoreModule {}

/** Root module of gateway: one module per domain noun under src/. */
@Module({
  imports: [GatewayCoreModule],
})
export class AppModule {}

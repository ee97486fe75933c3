import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { FEATURE_CONFIG, featureConfigProvider } from './config/feature.config';
import { PrismaClient } from './generated/prisma/client';

/** Settings and the database client, shared by every domain module of feature-service. */
@Global()
@Module({
  providers: [featureConfigProvider, prismaClientProvider(PrismaClient)],
  exports: [FEATURE_CONFIG, PrismaClient],
})
class FeatureCoreModule {}

/** Root module of feature-service: one module per domain noun under src/. */
@Module({
  imports: [
    FeatureCoreModule,
    // domain modules (one line each, alphabetical)
  ],
})
export class AppModule {}

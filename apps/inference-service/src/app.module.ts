import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { INFERENCE_CONFIG, inferenceConfigProvider } from './config/inference.config';
import { PrismaClient } from './generated/prisma/client';
import { ServingModule } from './serving/serving.module';

/** Settings and the database client, shared by every domain module of inference-service. */
@Global()
@Module({
  providers: [inferenceConfigProvider, prismaClientProvider(PrismaClient)],
  exports: [INFERENCE_CONFIG, PrismaClient],
})
class InferenceCoreModule {}

/** Root module of inference-service: one module per domain noun under src/. */
@Module({
  imports: [InferenceCoreModule, ServingModule],
})
export class AppModule {}

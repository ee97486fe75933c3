import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { TRAINING_CONFIG, trainingConfigProvider } from './config/training.config';
import { FeatureStore } from './dataset/feature-store';
import { GrpcFeatureStore } from './dataset/grpc-feature-store';
import { PrismaClient } from './generated/prisma/client';
import { JobsModule } from './jobs/jobs.module';
import { GrpcModelRegistry } from './registration/grpc-model-registry';
import { ModelRegistry } from './registration/model-registry';
import { TrainingModule } from './training/training.module';

/** Settings, the database client and the clients of the other services, shared by every domain module. */
@Global()
@Module({
  providers: [
    trainingConfigProvider,
    prismaClientProvider(PrismaClient),
    { provide: FeatureStore, useClass: GrpcFeatureStore },
    { provide: ModelRegistry, useClass: GrpcModelRegistry },
  ],
  exports: [TRAINING_CONFIG, PrismaClient, FeatureStore, ModelRegistry],
})
class TrainingCoreModule {}

/** Root module of training-runner: one module per domain noun under src/. */
@Module({
  imports: [TrainingCoreModule, JobsModule, TrainingModule],
})
export class AppModule {}

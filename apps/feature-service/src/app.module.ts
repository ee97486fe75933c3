import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { FEATURE_CONFIG, featureConfigProvider } from './config/feature.config';
import { DatasetModule } from './dataset/dataset.module';
import { FeatureSetModule } from './feature-set/feature-set.module';
import { PrismaClient } from './generated/prisma/client';
import { HistoricalModule } from './historical/historical.module';
import { ImportModule } from './import/import.module';
import { IngestionModule } from './ingestion/ingestion.module';
import { JobsModule } from './jobs/jobs.module';
import { MaterializationModule } from './materialization/materialization.module';
import { OnlineModule } from './online/online.module';
import { QuarantineModule } from './quarantine/quarantine.module';
import { SourceModule } from './source/source.module';
import { StatsModule } from './stats/stats.module';

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
    DatasetModule,
    FeatureSetModule,
    HistoricalModule,
    ImportModule,
    IngestionModule,
    JobsModule,
    MaterializationModule,
    OnlineModule,
    QuarantineModule,
    SourceModule,
    StatsModule,
  ],
})
export class AppModule {}

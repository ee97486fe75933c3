import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, grpcRoute, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';
import { OnlineController } from './online/online.controller';

/** feature-service: versioned feature sets, validated ingestion, materialization, online and point-in-time features. */
export const featureService: ServiceDefinition = {
  name: 'feature-service',
  module: AppModule,
  grpcPackages: [STRATA_PROTOS.featuresV1],
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
  // The online read is on every prediction's path: served without Nest's pipeline (same controller).
  directUnary: (app) => {
    const online = app.get(OnlineController);
    return { [grpcRoute(STRATA_PROTOS.featuresV1, 'FeatureService', 'GetOnlineFeatures')]: (request, metadata, call) => online.getOnlineFeatures(request as never, metadata, call) };
  },
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50051, http: 8081 };

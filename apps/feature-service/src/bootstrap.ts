import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';

/** feature-service: versioned feature sets, validated ingestion, materialization, online and point-in-time features. */
export const featureService: ServiceDefinition = {
  name: 'feature-service',
  module: AppModule,
  grpcPackages: [STRATA_PROTOS.featuresV1],
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50051, http: 8081 };

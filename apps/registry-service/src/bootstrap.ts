import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';

/** registry-service: models, immutable versions, gated promotion, atomic aliases and the release stream. */
export const registryService: ServiceDefinition = {
  name: 'registry-service',
  module: AppModule,
  grpcPackages: [STRATA_PROTOS.registryV1],
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50053, http: 8083 };

import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';

/** training-runner: queued, reproducible training jobs that export ONNX models and register them. */
export const trainingRunner: ServiceDefinition = {
  name: 'training-runner',
  module: AppModule,
  grpcPackages: [STRATA_PROTOS.trainingV1],
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50052, http: 8082 };

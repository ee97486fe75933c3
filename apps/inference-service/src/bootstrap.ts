import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';
import { ReleaseLoader } from './serving/release-loader';

/** inference-service: serves released ONNX models: zero-downtime swaps, canary, shadow, batching. */
export const inferenceService: ServiceDefinition = {
  name: 'inference-service',
  module: AppModule,
  grpcPackages: [STRATA_PROTOS.inferenceV1, STRATA_PROTOS.oipV1],
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
  // SERVING only once every released model's production alias is loaded and warm.
  readiness: (app) => app.get(ReleaseLoader),
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50054, http: 8084 };

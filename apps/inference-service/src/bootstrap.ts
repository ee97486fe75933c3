import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, grpcRoute, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';
import { OpenInferenceController } from './open-inference/open-inference.controller';
import { InferenceController } from './serving/inference.controller';
import { ReleaseLoader } from './serving/release-loader';

/** inference-service: serves released ONNX models: zero-downtime swaps, canary, shadow, batching. */
export const inferenceService: ServiceDefinition = {
  name: 'inference-service',
  module: AppModule,
  grpcPackages: [STRATA_PROTOS.inferenceV1, STRATA_PROTOS.oipV1],
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
  // SERVING only once every released model's production alias is loaded and warm.
  readiness: (app) => app.get(ReleaseLoader),
  // Predictions are the hot path: served without Nest's pipeline (same controllers).
  directUnary: (app) => {
    const strata = app.get(InferenceController);
    const oip = app.get(OpenInferenceController);
    return {
      [grpcRoute(STRATA_PROTOS.inferenceV1, 'InferenceService', 'Predict')]: (request, metadata, call) => strata.predict(request as never, metadata, call),
      [grpcRoute(STRATA_PROTOS.oipV1, 'GRPCInferenceService', 'ModelInfer')]: (request, metadata, call) => oip.modelInfer(request as never, metadata, call),
    };
  },
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50054, http: 8084 };

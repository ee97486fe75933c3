import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, grpcRoute, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';
import { OpenInferenceController } from './predictions/open-inference.controller';
import { PredictionController } from './predictions/prediction.controller';
import { gatewayHttpErrors } from './rest/http-problems';
import { registerRestApi } from './rest/register-rest-api';

/** gateway: the one public door: authenticates, rate-limits, assigns request IDs and deadlines, routes to inference. */
export const gateway: ServiceDefinition = {
  name: 'gateway',
  module: AppModule,
  grpcPackages: [STRATA_PROTOS.gatewayV1, STRATA_PROTOS.oipV1],
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
  publicEdge: true,
  httpRoutes: (app, fastify) => registerRestApi(app, fastify),
  httpErrors: (app) => gatewayHttpErrors(app),
  // Predictions are the hot path: served without Nest's pipeline (same controllers).
  directUnary: (app) => {
    const strata = app.get(PredictionController);
    const oip = app.get(OpenInferenceController);
    return {
      [grpcRoute(STRATA_PROTOS.gatewayV1, 'PredictionService', 'Predict')]: (request, metadata, call) => strata.predict(request as never, metadata, call),
      [grpcRoute(STRATA_PROTOS.oipV1, 'GRPCInferenceService', 'ModelInfer')]: (request, metadata, call) => oip.modelInfer(request as never, metadata, call),
    };
  },
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50050, http: 8080 };

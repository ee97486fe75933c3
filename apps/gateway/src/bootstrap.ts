import { STRATA_PROTOS } from '@strata/contracts';
import { type DefaultPorts, type ServiceDefinition } from '@strata/service-runtime';
import path from 'node:path';
import { AppModule } from './app.module';
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
};

/** Default ports (the README's table); GRPC_PORT and HTTP_PORT override them. */
export const DEFAULT_PORTS: DefaultPorts = { grpc: 50050, http: 8080 };

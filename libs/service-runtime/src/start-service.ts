import type { Server } from '@grpc/grpc-js';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { PROTO_LOADER_OPTIONS, PROTOS_DIR, type ProtoPackage } from '@strata/contracts';
import {
  activeTelemetry,
  createHealthService,
  type DirectUnaryHandler,
  directUnaryCall,
  createLogger,
  createMetrics,
  type HealthService,
  NestPinoLogger,
  ObservabilityInterceptor,
  WHOLE_SERVER,
} from '@strata/observability';
import { type Database, openDatabase } from '@strata/persistence';
import path from 'node:path';
import type { Logger } from 'pino';
import { GrpcExceptionFilter } from './errors/grpc-exception.filter';
import { grpcStatusOf } from './errors/service-errors';
import { drainGrpcServer } from './grpc-drain';
import { trackHttpConnections } from './http-drain';
import { registerOperationalRoutes } from './http-endpoints';
import { type HttpErrorAnswers, ServiceFastifyAdapter } from './http-error-answers';
import { waitForSchema } from './schema-wait';
import { ServiceRuntimeModule } from './service-runtime.module';
import type { ServiceConfig } from './service-config';

/** Largest gRPC message a service accepts or sends: a 4 MiB chunk plus framing. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024 + 64 * 1024;

/** What makes one Strata service: its name, its Nest module, its contracts and its migrations. */
export interface ServiceDefinition {
  /** kebab-case service name, e.g. `registry-service`; names logs, metrics and the data folder. */
  readonly name: string;
  /** The app's root Nest module; it can inject DATABASE, LOGGER, METRICS and SERVICE_CONFIG. */
  readonly module: Type<unknown>;
  /** The proto packages whose services this app serves over gRPC. */
  readonly grpcPackages: readonly ProtoPackage[];
  /**
   * The app's `prisma/migrations` folder: applied before the app starts (MIGRATE_ON_START=true),
   * or waited for (false); `/readyz` needs a schema that serves it.
   */
  readonly migrationsDir: string;
  /**
   * What decides readiness beyond "listening" (e.g. inference: every production model loaded).
   * Unset = SERVING as soon as the server listens. When set, gRPC health (the whole server and
   * each service) and `/readyz` follow it.
   */
  readonly readiness?: (app: NestFastifyApplication) => ServiceReadiness;
  /**
   * The public edge (the gateway): only `x-request-id` is taken from callers; their Strata
   * baggage and model/contract metadata are ignored.
   */
  readonly publicEdge?: boolean;
  /**
   * Registers the app's own HTTP routes directly on Fastify (e.g. the gateway's REST API with
   * its JSON schemas), after the operational routes and before the server listens.
   */
  readonly httpRoutes?: (app: NestFastifyApplication, fastify: FastifyInstance) => void | Promise<void>;
  /**
   * The app's answers to the HTTP errors its routes do not answer themselves (unknown routes,
   * Fastify's refusals of a URL or a request); built once the app exists. Unset = Fastify's and
   * Nest's default bodies.
   */
  readonly httpErrors?: (app: NestFastifyApplication) => HttpErrorAnswers;
  /**
   * The hot unary RPCs, served by grpc-js directly instead of through Nest's pipeline, by gRPC
   * path (`/strata.features.v1.FeatureService/GetOnlineFeatures`): usually the controller's own
   * `@GrpcMethod`, called with the same arguments. They keep everything the pipeline adds —
   * request scope, response metadata, RED metrics, the exception filter's statuses and the
   * trace (see `directUnaryCall`) — at a fraction of its CPU. Built once the app exists.
   */
  readonly directUnary?: (app: NestFastifyApplication) => Readonly<Record<string, DirectUnaryHandler>>;
}

/** The gRPC path of a method of one of the app's contracts, as `ServiceDefinition.directUnary` keys it: `/strata.features.v1.FeatureService/GetOnlineFeatures`. */
export function grpcRoute(contract: ProtoPackage, service: string, method: string): string {
  if (!contract.services.includes(service)) throw new Error(`${contract.package} has no service ${service}`);
  return `/${contract.package}.${service}/${method}`;
}

/** An app's own readiness: asked after every change it reports. */
export interface ServiceReadiness {
  isReady(): boolean;
  /** Calls `listener` whenever readiness may have changed. */
  onChange(listener: () => void): void;
}

/** Overrides for tests: an in-memory database, a captured log stream. */
export interface StartServiceOptions {
  readonly inMemoryDatabase?: boolean;
  /** Environment the app reads its own settings from (injected as ENVIRONMENT). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /**
   * Stops start-up while it waits for the schema (MIGRATE_ON_START=false): `startService` then
   * closes the database and rejects with a SchemaWaitAbortedError.
   */
  readonly signal?: AbortSignal;
}

/** A started service. `close()` drains and stops it; safe to call twice. */
export interface RunningService {
  readonly app: NestFastifyApplication;
  readonly database: Database;
  readonly logger: Logger;
  readonly health: HealthService;
  /** `host:port` of the gRPC server. */
  readonly grpcAddress: string;
  /** Base URL of the HTTP side. */
  readonly httpUrl: string;
  close(reason?: string): Promise<void>;
}

/**
 * Starts a service: opens its database and migrates it (MIGRATE_ON_START, the default) or waits
 * until its schema serves this build (MIGRATE_ON_START=false: a Helm hook migrates), then builds the Nest app with the gRPC
 * server (its contracts + grpc.health.v1) and the HTTP side (/healthz, /readyz, /metrics),
 * and marks it SERVING once both listen. Logs one line saying where it listens and which
 * database it uses.
 */
export async function startService(definition: ServiceDefinition, config: ServiceConfig, options: StartServiceOptions = {}): Promise<RunningService> {
  const { name } = definition;
  const logger = options.logger ?? createLogger({ service: name, level: config.logLevel });
  const metrics = createMetrics(name);
  const database = await openDatabase({
    service: name,
    databaseUrl: config.databaseUrl,
    dataDir: path.resolve(config.dataDir, 'pglite'),
    inMemory: options.inMemoryDatabase,
    logger,
  });
  let app: NestFastifyApplication | undefined;
  const migrationsDir = definition.migrationsDir;
  try {
    if (config.migrateOnStart) await database.migrate(migrationsDir, { logger });
    else await waitForSchema(database, migrationsDir, { logger, signal: options.signal });
    const health = createHealthService();
    const draining = new AbortController();
    let grpcServer: Server | undefined;

    @Module({ imports: [ServiceRuntimeModule.forRoot({ service: name, config, database, logger, metrics, env: options.env ?? process.env, shutdownSignal: draining.signal }), definition.module] })
    class ServiceRootModule {}

    const adapter = ServiceFastifyAdapter.create(definition.httpErrors !== undefined);
    app = await NestFactory.create<NestFastifyApplication>(ServiceRootModule as DynamicModule['module'], adapter, {
      logger: new NestPinoLogger(logger.child({ component: 'nest' })),
    });
    if (definition.httpErrors !== undefined) adapter.useErrorAnswers(definition.httpErrors(app));
    const httpConnections = trackHttpConnections(adapter.getHttpServer());
    app.useGlobalInterceptors(new ObservabilityInterceptor({ metrics, statusCodeOfError: grpcStatusOf, edge: definition.publicEdge === true }));
    const grpcAddress = `${config.bindHost}:${config.grpcPort}`;
    const exceptionFilter = new GrpcExceptionFilter(logger, app.getHttpAdapter());
    app.useGlobalFilters(exceptionFilter);
    const directHandlers = definition.directUnary?.(app) ?? {};
    const serveDirectly = (server: Server): void => {
      const direct = new Map(
        Object.entries(directHandlers).map(([route, handler]) => [
          route,
          directUnaryCall(handler, { metrics, edge: definition.publicEdge === true, statusOfError: (error) => exceptionFilter.toGrpcError(error) }),
        ]),
      );
      if (direct.size === 0) return;
      // Nest registers every @GrpcMethod through register(); the direct routes take their place.
      const register = server.register.bind(server) as (name: string, handler: unknown, ...rest: unknown[]) => boolean;
      server.register = ((name: string, handler: unknown, ...rest: unknown[]) => register(name, direct.get(name) ?? handler, ...rest)) as Server['register'];
    };
    app.connectMicroservice<MicroserviceOptions>(
      {
        transport: Transport.GRPC,
        options: {
          url: grpcAddress,
          // Contracts allow 4 MiB payload chunks; leave room for the message framing around them.
          maxReceiveMessageLength: MAX_MESSAGE_BYTES,
          maxSendMessageLength: MAX_MESSAGE_BYTES,
          package: definition.grpcPackages.map((p) => p.package),
          protoPath: definition.grpcPackages.map((p) => path.resolve(PROTOS_DIR, p.protoPath)),
          loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTOS_DIR] } as never,
          onLoadPackageDefinition: (_definition: unknown, server: Server) => {
            grpcServer = server;
            serveDirectly(server);
            health.addToServer(server);
          },
        },
      },
      { inheritAppConfig: true },
    );
    registerOperationalRoutes(app.getHttpAdapter().getInstance(), metrics, {
      // A schema ahead of this build (a newer release migrated it: a rollback) still serves it.
      isReady: async () => health.statusOf() === 'SERVING' && (await database.schemaServesThisBuild(migrationsDir)),
    }, health);
    await definition.httpRoutes?.(app, app.getHttpAdapter().getInstance());

    await app.startAllMicroservices();
    await app.listen(config.httpPort, config.bindHost);
    const httpUrl = `http://${config.bindHost}:${config.httpPort}`;
    const serviceNames = definition.grpcPackages.flatMap((pkg) => pkg.services.map((service) => `${pkg.package}.${service}`));
    const readiness = definition.readiness?.(app);
    const applyReadiness = (): void => {
      if (draining.signal.aborted) return;
      const ready = readiness?.isReady() ?? true;
      for (const service of [...serviceNames, WHOLE_SERVER]) {
        if (ready) health.setServing(service);
        else health.setNotServing(service);
      }
    };
    readiness?.onChange(applyReadiness);
    applyReadiness();
    logger.info(
      { grpc: grpcAddress, http: httpUrl, database: database.describe() },
      `${name} listening grpc=${grpcAddress} http=${httpUrl} database=${database.describe()}`,
    );

    const started = app;
    let closing: Promise<void> | undefined;
    const close = (reason = 'shutdown requested'): Promise<void> => {
      closing ??= (async () => {
        logger.info(`${name} stopping (${reason}): draining in-flight calls for up to ${config.shutdownGrace} ms`);
        health.setAllNotServing();
        draining.abort();
        // Both sides drain at once, within the same grace: gRPC sends GOAWAY and lets calls finish;
        // HTTP answers what still arrives with Connection: close and closes connections once idle.
        const [grpcDrained, httpDrained] = await Promise.all([
          grpcServer === undefined ? true : drainGrpcServer(grpcServer, config.shutdownGrace),
          httpConnections.drain(config.shutdownGrace),
        ]);
        if (!grpcDrained) logger.warn(`${name} cut calls still open after ${config.shutdownGrace} ms`);
        if (!httpDrained) logger.warn(`${name} closed HTTP connections still open after ${config.shutdownGrace} ms`);
        await started.close();
        await database.close();
        logger.info(`${name} stopped`);
        await activeTelemetry()?.shutdown();
      })();
      return closing;
    };
    return { app: started, database, logger, health, grpcAddress, httpUrl, close };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

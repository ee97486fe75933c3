import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { ServiceMetrics } from '@strata/observability';
import type { Database } from '@strata/persistence';
import type { Logger } from 'pino';
import { PrismaClientRegistry } from './prisma-client.provider';
import { DATABASE, ENVIRONMENT, LOGGER, METRICS, SERVICE_CONFIG, SHUTDOWN_SIGNAL } from './runtime-tokens';
import type { ServiceConfig } from './service-config';

/** What the runtime hands to the app's Nest modules. */
export interface ServiceRuntimeContext {
  readonly service: string;
  readonly config: ServiceConfig;
  readonly database: Database;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** The environment variables the service reads its own settings from. */
  readonly env: NodeJS.ProcessEnv;
  /** Aborted when the service starts draining. */
  readonly shutdownSignal: AbortSignal;
}

/** Global module that makes the runtime's objects injectable in every module of the app. */
@Global()
@Module({})
export class ServiceRuntimeModule {
  static forRoot(context: ServiceRuntimeContext): DynamicModule {
    const providers = [
      { provide: DATABASE, useValue: context.database },
      { provide: LOGGER, useValue: context.logger },
      { provide: METRICS, useValue: context.metrics },
      { provide: SERVICE_CONFIG, useValue: context.config },
      { provide: ENVIRONMENT, useValue: context.env },
      { provide: SHUTDOWN_SIGNAL, useValue: context.shutdownSignal },
    ];
    return {
      module: ServiceRuntimeModule,
      providers: [...providers, PrismaClientRegistry],
      exports: [...providers.map((p) => p.provide), PrismaClientRegistry],
    };
  }
}

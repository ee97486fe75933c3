import { Injectable, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { createPrismaClient, type Database, type PrismaClientClass } from '@strata/persistence';
import { DATABASE } from './runtime-tokens';

interface Disconnectable {
  $disconnect(): Promise<void>;
}

/** Disconnects every Prisma Client the runtime created when the app shuts down. */
@Injectable()
export class PrismaClientRegistry implements OnModuleDestroy {
  private readonly clients: Disconnectable[] = [];

  track<T extends Disconnectable>(client: T): T {
    this.clients.push(client);
    return client;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.$disconnect()));
  }
}

/**
 * Provides the app's generated `PrismaClient` on the service's database, injectable by its
 * class: `constructor(private readonly prisma: PrismaClient)` in repositories.
 *
 * @example providers: [prismaClientProvider(PrismaClient), ModelRepository]
 */
export function prismaClientProvider<Client extends Disconnectable>(ClientClass: PrismaClientClass<Client>): Provider {
  return {
    provide: ClientClass,
    inject: [DATABASE, PrismaClientRegistry],
    useFactory: (database: Database, registry: PrismaClientRegistry) => registry.track(createPrismaClient(ClientClass, database)),
  };
}

import type { Database, PrismaAdapter } from './database';

/**
 * An app's generated `PrismaClient` class, seen from here: constructed with a driver adapter
 * plus any other client options (`log`, `transactionOptions`, ...).
 */
export type PrismaClientClass<Client, Options extends object = object> = new (options: Options & { adapter: PrismaAdapter }) => Client;

/**
 * Creates a service's generated Prisma Client on a {@link Database}. Each app generates its
 * own `PrismaClient` class; this keeps the wiring the same in all of them.
 *
 * @param ClientClass the app's generated `PrismaClient` (from `src/generated/prisma/client`)
 * @param database an open database
 * @param options other client options; `adapter` is set here
 * @example const prisma = createPrismaClient(PrismaClient, database, { transactionOptions: { timeout: 10_000 } });
 */
export function createPrismaClient<Client, Options extends object = object>(
  ClientClass: PrismaClientClass<Client, Options>,
  database: Pick<Database, 'adapter'>,
  options?: Options,
): Client {
  return new ClientClass({ ...(options as Options), adapter: database.adapter });
}

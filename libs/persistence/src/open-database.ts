import { join } from 'node:path';
import type { Database } from './database';
import { DatabaseConfigError } from './database-errors';
import { type PersistenceLogger, silentLogger } from './logger';
import { PgliteDatabase } from './pglite-database';
import { PostgresDatabase } from './postgres-database';

/** Where a service's database is. */
export interface OpenDatabaseOptions {
  /** The owning service, e.g. `registry-service`: names the default PGlite folder and the PostgreSQL application_name. */
  readonly service: string;
  /** A `postgres://` URL: use that PostgreSQL server. Takes precedence over everything else; empty counts as unset. */
  readonly databaseUrl?: string;
  /** PGlite data folder; default `<cwd>/.data/<service>/pglite`. Created if missing. */
  readonly dataDir?: string;
  /** PGlite in memory, nothing on disk (tests). Ignored when `databaseUrl` is set. */
  readonly inMemory?: boolean;
  /** Receives connection problems (and migration progress, unless `migrate` gets its own). Silent by default. */
  readonly logger?: PersistenceLogger;
  /** PostgreSQL only: longest wait for a connection, default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL only: most connections in the pool, default 10. */
  readonly maxConnections?: number;
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Opens a service's database: PostgreSQL through `@prisma/adapter-pg` when `databaseUrl` is
 * set, otherwise embedded PGlite on disk (or in memory). It connects once before returning,
 * so an unreachable or misconfigured database fails here with a {@link DatabaseConnectionError}
 * that names it (without password) and says why.
 *
 * @example
 * const database = await openDatabase({ service: 'registry-service', databaseUrl: config.databaseUrl, logger });
 * logger.info(`database ${database.describe()}`);
 * await database.migrate('apps/registry-service/prisma/migrations');
 * const prisma = createPrismaClient(PrismaClient, database);
 * // ... on shutdown:
 * await prisma.$disconnect();
 * await database.close();
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (!SERVICE_NAME.test(options.service)) {
    throw new DatabaseConfigError(`service name "${options.service}" must be kebab-case (a-z, 0-9, -)`);
  }
  const logger = options.logger ?? silentLogger;
  if (options.databaseUrl) {
    return PostgresDatabase.open({
      service: options.service,
      databaseUrl: options.databaseUrl,
      logger,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      maxConnections: options.maxConnections,
    });
  }
  const dataDir = options.inMemory ? undefined : (options.dataDir ?? defaultDataDir(options.service));
  return PgliteDatabase.open({ service: options.service, logger, dataDir });
}

/** `<cwd>/.data/<service>/pglite`: where a service keeps its embedded database by default. */
export function defaultDataDir(service: string): string {
  return join(process.cwd(), '.data', service, 'pglite');
}

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { BaseDatabase } from './database';
import { DatabaseConnectionError } from './database-errors';
import { displayPath } from './display-path';
import type { PersistenceLogger } from './logger';
import { Mutex } from './mutex';
import type { SqlExecutor, SqlSession } from './sql-session';

/** Options of {@link PgliteDatabase.open}. */
export interface PgliteDatabaseOptions {
  readonly service: string;
  readonly logger: PersistenceLogger;
  /** Folder of the database files (created if missing); in memory when undefined. */
  readonly dataDir: string | undefined;
}

/**
 * An embedded PostgreSQL (PGlite, WebAssembly) in this process: real PostgreSQL semantics with
 * nothing to install. It has exactly one connection, and only one process may open a data folder.
 */
export class PgliteDatabase extends BaseDatabase {
  readonly kind = 'pglite';
  readonly adapter: PrismaPGlite;
  private readonly sessions = new Mutex();
  private closed = false;

  private constructor(
    service: string,
    logger: PersistenceLogger,
    private readonly description: string,
    private readonly pglite: PGlite,
  ) {
    super(service, logger);
    this.adapter = new PrismaPGlite(pglite);
  }

  static async open(options: PgliteDatabaseOptions): Promise<PgliteDatabase> {
    const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
    const description = dataDir === undefined ? 'pglite:memory' : `pglite:${displayPath(dataDir)}`;
    let pglite: PGlite | undefined;
    try {
      if (dataDir !== undefined) {
        await mkdir(dataDir, { recursive: true });
      }
      pglite = await PGlite.create(dataDir);
      // The Prisma adapter reads timestamptz as UTC; keep the session there whatever the data folder says.
      await pglite.exec(`SET TIME ZONE 'UTC'`);
    } catch (error) {
      await pglite?.close().catch(() => undefined);
      throw new DatabaseConnectionError(description, error);
    }
    return new PgliteDatabase(options.service, options.logger, description, pglite);
  }

  describe(): string {
    return this.description;
  }

  async openSession(): Promise<SqlSession> {
    const release = await this.sessions.acquire();
    return new PgliteSession(this.pglite, release);
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.pglite.close();
    }
  }
}

/** The single PGlite connection, held exclusively (among sessions) until released. */
class PgliteSession implements SqlSession {
  private released = false;

  constructor(
    private readonly pglite: PGlite,
    private readonly releaseLock: () => void,
  ) {}

  async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.pglite.query<Row>(sql, [...params])).rows;
  }

  async execScript(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    // PGlite's own transaction() also keeps Prisma Client's queries from slipping in between.
    return this.pglite.transaction((tx) =>
      work({
        query: async <Row extends object>(sql: string, params: readonly unknown[] = []) => (await tx.query<Row>(sql, [...params])).rows,
        execScript: async (sql: string) => {
          await tx.exec(sql);
        },
      }),
    );
  }

  async release(): Promise<void> {
    if (!this.released) {
      this.released = true;
      this.releaseLock();
    }
  }
}

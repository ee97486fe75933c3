import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient } from 'pg';
import { BaseDatabase } from './database';
import { DatabaseConnectionError, describeCause } from './database-errors';
import type { PersistenceLogger } from './logger';
import { parsePostgresUrl, type PostgresUrl } from './postgres-url';
import type { SqlExecutor, SqlSession } from './sql-session';

/** Options of {@link PostgresDatabase.open}. */
export interface PostgresDatabaseOptions {
  readonly service: string;
  readonly databaseUrl: string;
  readonly logger: PersistenceLogger;
  /** Longest wait for a new connection (and for a free one when the pool is busy). */
  readonly connectTimeoutMs: number;
  /** Most connections the pool opens. */
  readonly maxConnections?: number;
}

/** A PostgreSQL database reached through one `pg` pool, shared by Prisma Client and maintenance sessions. */
export class PostgresDatabase extends BaseDatabase {
  readonly kind = 'postgres';
  readonly adapter: PrismaPg;
  private closed = false;

  private constructor(
    service: string,
    logger: PersistenceLogger,
    private readonly url: PostgresUrl,
    private readonly pool: Pool,
  ) {
    super(service, logger);
    this.adapter = new PrismaPg(pool);
  }

  /** Connects once to check the URL, so a bad URL or an unreachable server fails at start-up. */
  static async open(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const url = parsePostgresUrl(options.databaseUrl);
    const pool = new Pool({
      connectionString: url.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs,
      max: options.maxConnections,
      application_name: options.service,
    });
    // An idle connection that dies (server restart, network) must not crash the process.
    pool.on('error', (error) => options.logger.error(`idle connection to database ${url.description} failed: ${scrub(url, describeCause(error))}`));
    const database = new PostgresDatabase(options.service, options.logger, url, pool);
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw database.connectionError(error);
    }
    return database;
  }

  describe(): string {
    return this.url.description;
  }

  async openSession(): Promise<SqlSession> {
    try {
      return new PgSession(await this.pool.connect());
    } catch (error) {
      throw this.connectionError(error);
    }
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.pool.end();
    }
  }

  private connectionError(cause: unknown): DatabaseConnectionError {
    const error = new DatabaseConnectionError(this.url.description, cause);
    error.message = scrub(this.url, error.message);
    return error;
  }
}

/** A pooled connection lent out exclusively. */
class PgSession implements SqlSession {
  private broken = false;

  constructor(private readonly client: PoolClient) {}

  async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.client.query<Row>(sql, [...params])).rows;
  }

  async execScript(sql: string): Promise<void> {
    // No parameters: pg uses the simple-query protocol, which accepts several statements.
    await this.client.query(sql);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const result = await work(this);
      await this.client.query('COMMIT');
      return result;
    } catch (error) {
      // A failed ROLLBACK means the connection is gone; keep the original error.
      await this.client.query('ROLLBACK').catch(() => (this.broken = true));
      throw error;
    }
  }

  async release(options: { discard?: boolean } = {}): Promise<void> {
    this.client.release(options.discard === true || this.broken);
  }
}

/** Belt and braces: a driver message should never carry the password, but make sure. */
function scrub(url: PostgresUrl, message: string): string {
  return url.password ? message.split(url.password).join('***') : message;
}

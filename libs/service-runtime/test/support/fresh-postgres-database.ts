import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// What @strata/testing's createTestDatabase does. This library cannot import it: testing libs
// may depend on the runtime (tags type:testing -> type:runtime), not the other way round.

/** A fresh PostgreSQL database for one test. */
export interface FreshPostgresDatabase {
  readonly url: string;
  /** Runs one statement in it (own connection). */
  query(sql: string): Promise<void>;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Creates an empty database on TEST_POSTGRES_URL's server (default: the local one at 127.0.0.1:5432). */
export async function freshPostgresDatabase(prefix: string): Promise<FreshPostgresDatabase> {
  const adminUrl = process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await runSql(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    query: (sql) => runSql(url.toString(), sql),
    drop: () => runSql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function runSql(connectionString: string, sql: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

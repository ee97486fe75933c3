import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A PostgreSQL database made for one test file, dropped in teardown. */
export interface TestDatabase {
  /** Connection URL of the fresh database. */
  readonly url: string;
  /** Name of the fresh database. */
  readonly name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** The server tests use: TEST_POSTGRES_URL, or the local PostgreSQL at 127.0.0.1:5432. */
export function testPostgresAdminUrl(): string {
  return process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

/**
 * Creates a fresh, empty database on the test PostgreSQL server, so every test file
 * starts from nothing and test files can run in parallel.
 */
export async function createTestDatabase(prefix = 'strata_test'): Promise<TestDatabase> {
  const adminUrl = testPostgresAdminUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(adminUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

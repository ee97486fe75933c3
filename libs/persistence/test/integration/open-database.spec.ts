import { createServer } from 'node:net';
import { Client } from 'pg';
import { DatabaseConnectionError, defaultDataDir, openDatabase } from '../../src';
import { type FreshPostgresDatabase, freshPostgresDatabase } from '../support/fresh-postgres-database';

jest.setTimeout(60_000);

describe(openDatabase.name, () => {
  describe('on PostgreSQL', () => {
    let testDatabase: FreshPostgresDatabase;

    beforeAll(async () => {
      testDatabase = await freshPostgresDatabase('strata_open');
    });

    afterAll(async () => {
      await testDatabase.drop();
    });

    const urlWithPassword = (url: string, password: string) => {
      const withPassword = new URL(url);
      withPassword.password = password;
      return withPassword.toString();
    };

    it('describes the database without its password', async () => {
      const database = await openDatabase({ service: 'registry-service', databaseUrl: urlWithPassword(testDatabase.url, 'hunter2') });
      try {
        const expected = new URL(testDatabase.url);
        expect(database.kind).toBe('postgres');
        expect(database.describe()).toBe(`postgresql://${expected.username}@${expected.host}/${testDatabase.name}`);
        expect(database.describe()).not.toContain('hunter2');
      } finally {
        await database.close();
      }
    });

    it('runs every session in UTC even when the database defaults to another time zone', async () => {
      const admin = new Client({ connectionString: testDatabase.url });
      await admin.connect();
      await admin.query(`ALTER DATABASE "${testDatabase.name}" SET timezone TO 'Asia/Kolkata'`);
      await admin.end();
      const database = await openDatabase({ service: 'registry-service', databaseUrl: testDatabase.url });
      const session = await database.openSession();
      try {
        expect(await session.query('SHOW TimeZone')).toEqual([{ TimeZone: 'UTC' }]);
      } finally {
        await session.release();
        await database.close();
      }
    });

    it('fails with an error naming the database and the cause when the database does not exist', async () => {
      const url = new URL(testDatabase.url);
      url.pathname = '/strata_no_such_database';
      url.password = 'hunter2';

      const opening = openDatabase({ service: 'registry-service', databaseUrl: url.toString() });

      await expect(opening).rejects.toThrow(DatabaseConnectionError);
      await expect(opening).rejects.toThrow(
        `cannot connect to database postgresql://${url.username}@${url.host}/strata_no_such_database: database "strata_no_such_database" does not exist`,
      );
      await expect(opening).rejects.not.toThrow(/hunter2/);
    });

    it('fails with an error naming the server when nothing listens there', async () => {
      const port = await aClosedPort();
      const url = `postgres://strata:hunter2@127.0.0.1:${port}/registry`;

      const opening = openDatabase({ service: 'registry-service', databaseUrl: url });

      await expect(opening).rejects.toThrow(`cannot connect to database postgres://strata@127.0.0.1:${port}/registry: connect ECONNREFUSED 127.0.0.1:${port}`);
      await expect(opening).rejects.not.toThrow(/hunter2/);
    });
  });

  describe('on PGlite', () => {
    it('uses <cwd>/.data/<service>/pglite by default', () => {
      expect(defaultDataDir('gateway')).toBe(`${process.cwd()}/.data/gateway/pglite`);
    });

    it('opens in memory when asked, described as such', async () => {
      const database = await openDatabase({ service: 'gateway', inMemory: true });
      try {
        expect(database.kind).toBe('pglite');
        expect(database.describe()).toBe('pglite:memory');
      } finally {
        await database.close();
      }
    });
  });

  it('refuses a service name that is not kebab-case', async () => {
    await expect(openDatabase({ service: '../etc', inMemory: true })).rejects.toThrow('service name "../etc" must be kebab-case');
  });
});

/** A port on 127.0.0.1 that nothing listens on (the OS handed it out a moment ago). */
function aClosedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

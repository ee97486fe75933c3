import { openDatabase } from '../../src';
import { type FreshPostgresDatabase, freshPostgresDatabase } from '../support/fresh-postgres-database';
import { describeMigrationRunnerOn } from '../support/runner-scenarios';

jest.setTimeout(60_000);

const testDatabases: FreshPostgresDatabase[] = [];

afterAll(async () => {
  await Promise.all(testDatabases.map((testDatabase) => testDatabase.drop()));
});

describeMigrationRunnerOn('PostgreSQL', async () => {
  const testDatabase = await freshPostgresDatabase('strata_persistence');
  testDatabases.push(testDatabase);
  return openDatabase({ service: 'persistence-test', databaseUrl: testDatabase.url });
});

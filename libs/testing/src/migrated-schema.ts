import { createPrismaClient, type Database, openDatabase, type PrismaClientClass } from '@strata/persistence';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The database of one schema test, open and migrated; valid inside its tests. */
export interface MigratedSchema<PrismaClient> {
  readonly prisma: PrismaClient;
  readonly database: Database;
}

/**
 * Proves that a service's prisma/schema.prisma and its hand-written SQL migrations agree:
 * on PGlite and on a fresh PostgreSQL database (whose default time zone is not UTC, so a
 * shifted timestamp shows), the migrations are applied and `tests` write and read rows
 * through the generated client.
 *
 * @example describeMigratedSchema('gateway', PrismaClient, MIGRATIONS_DIR, (schema) => { it(...schema.prisma...) });
 */
export function describeMigratedSchema<PrismaClient extends { $disconnect(): Promise<void> }>(
  service: string,
  ClientClass: PrismaClientClass<PrismaClient>,
  migrationsDir: string,
  tests: (schema: MigratedSchema<PrismaClient>) => void,
): void {
  describe.each(['PGlite', 'PostgreSQL'])(`${service} schema on %s`, (engine) => {
    let testDatabase: TestDatabase | undefined;
    let database: Database | undefined;
    let prisma: PrismaClient | undefined;
    const schema: MigratedSchema<PrismaClient> = {
      get prisma() {
        if (prisma === undefined) throw new Error('the schema test database is not open yet');
        return prisma;
      },
      get database() {
        if (database === undefined) throw new Error('the schema test database is not open yet');
        return database;
      },
    };

    beforeAll(async () => {
      if (engine === 'PostgreSQL') {
        testDatabase = await createTestDatabase(`strata_${service.replace(/-/g, '_')}`);
        const admin = new Client({ connectionString: testDatabase.url });
        await admin.connect();
        await admin.query(`ALTER DATABASE "${testDatabase.name}" SET timezone TO 'Asia/Kolkata'`);
        await admin.end();
      }
      database = await openDatabase({ service, databaseUrl: testDatabase?.url, inMemory: true });
      await database.migrate(migrationsDir);
      prisma = createPrismaClient(ClientClass, database);
    }, 60_000);

    afterAll(async () => {
      await prisma?.$disconnect();
      await database?.close();
      await testDatabase?.drop();
    });

    it('has applied every migration', async () => {
      expect(await schema.database.schemaIsCurrent(migrationsDir)).toBe(true);
    });

    tests(schema);
  });
}

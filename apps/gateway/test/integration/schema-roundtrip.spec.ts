import { join } from 'node:path';
import { createPrismaClient, type Database, openDatabase } from '@strata/persistence';
import { createTestDatabase, type TestDatabase } from '@strata/testing';
import { Client } from 'pg';
import { PrismaClient } from '../../src/generated/prisma/client';

// Proves that prisma/schema.prisma and the hand-written SQL migrations agree: the migrations
// are applied to a fresh database, then one row of every model is written and read back
// through the generated client, on both engines the service runs on.

jest.setTimeout(60_000);

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');
const AT = new Date('2026-11-28T10:15:30.123Z');

describe.each(['PGlite', 'PostgreSQL'])('gateway schema on %s', (engine) => {
  let testDatabase: TestDatabase | undefined;
  let database: Database;
  let prisma: PrismaClient;

  beforeAll(async () => {
    if (engine === 'PostgreSQL') {
      testDatabase = await createTestDatabase('strata_gateway');
      // A server default zone other than UTC must not shift timestamps.
      const admin = new Client({ connectionString: testDatabase.url });
      await admin.connect();
      await admin.query(`ALTER DATABASE "${testDatabase.name}" SET timezone TO 'Asia/Kolkata'`);
      await admin.end();
    }
    database = await openDatabase({ service: 'gateway', databaseUrl: testDatabase?.url, inMemory: true });
    await database.migrate(MIGRATIONS_DIR);
    prisma = createPrismaClient(PrismaClient, database);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.close();
    await testDatabase?.drop();
  });

  it('has applied every migration', async () => {
    expect(await database.schemaIsCurrent(MIGRATIONS_DIR)).toBe(true);
  });

  it('round-trips an API key, and refuses a second key with the same prefix', async () => {
    const data = { prefix: 'sk_ab12cd34', hash: 'f0'.repeat(32), name: 'checkout', allowedModels: ['flight-delay', 'churn'], rateLimitPerSecond: 50, burst: 100, revokedAt: AT };
    const key = await prisma.apiKey.create({ data });

    expect(await prisma.apiKey.findUniqueOrThrow({ where: { prefix: 'sk_ab12cd34' } })).toEqual(key);
    expect((await prisma.apiKey.create({ data: { prefix: 'sk_00000000', hash: 'x', name: 'empty' } })).allowedModels).toEqual([]);
    await expect(prisma.apiKey.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a day of usage for a key', async () => {
    const key = await prisma.apiKey.create({ data: { prefix: 'sk_usage001', hash: 'e1'.repeat(32), name: 'usage' } });
    const day = new Date('2026-11-28T00:00:00.000Z');
    const usage = await prisma.apiKeyUsage.create({ data: { apiKeyId: key.id, day, requests: 3n } });

    expect(await prisma.apiKeyUsage.findUniqueOrThrow({ where: { apiKeyId_day: { apiKeyId: key.id, day } } })).toEqual(usage);
    expect(usage.day).toEqual(day);
  });
});

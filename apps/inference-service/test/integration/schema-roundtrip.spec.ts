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

describe.each(['PGlite', 'PostgreSQL'])('inference-service schema on %s', (engine) => {
  let testDatabase: TestDatabase | undefined;
  let database: Database;
  let prisma: PrismaClient;

  beforeAll(async () => {
    if (engine === 'PostgreSQL') {
      testDatabase = await createTestDatabase('strata_inference_service');
      // A server default zone other than UTC must not shift timestamps.
      const admin = new Client({ connectionString: testDatabase.url });
      await admin.connect();
      await admin.query(`ALTER DATABASE "${testDatabase.name}" SET timezone TO 'Asia/Kolkata'`);
      await admin.end();
    }
    database = await openDatabase({ service: 'inference-service', databaseUrl: testDatabase?.url, inMemory: true });
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

  it('round-trips an artifact cache entry, keyed by digest', async () => {
    const data = { digest: 'ef'.repeat(32), modelName: 'flight-delay', version: 3, path: '/var/cache/strata/efef.onnx', sizeBytes: 12_345n, lastUsedAt: AT };
    const entry = await prisma.artifactCacheEntry.create({ data });

    expect(await prisma.artifactCacheEntry.findUniqueOrThrow({ where: { digest: data.digest } })).toEqual(entry);
    await expect(prisma.artifactCacheEntry.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a load event', async () => {
    const event = await prisma.loadEvent.create({
      data: { modelName: 'flight-delay', version: 3, digest: 'ef'.repeat(32), kind: 'warmed', detail: '3 warm-up requests', durationMs: 41, createdAt: AT },
    });

    expect(await prisma.loadEvent.findUniqueOrThrow({ where: { id: event.id } })).toEqual(event);
  });
});

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

describe.each(['PGlite', 'PostgreSQL'])('training-runner schema on %s', (engine) => {
  let testDatabase: TestDatabase | undefined;
  let database: Database;
  let prisma: PrismaClient;

  beforeAll(async () => {
    if (engine === 'PostgreSQL') {
      testDatabase = await createTestDatabase('strata_training_runner');
      // A server default zone other than UTC must not shift timestamps.
      const admin = new Client({ connectionString: testDatabase.url });
      await admin.connect();
      await admin.query(`ALTER DATABASE "${testDatabase.name}" SET timezone TO 'Asia/Kolkata'`);
      await admin.end();
    }
    database = await openDatabase({ service: 'training-runner', databaseUrl: testDatabase?.url, inMemory: true });
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

  it('round-trips a training job and refuses a second job with the same idempotency key', async () => {
    const data = { idempotencyKey: 'ci-run-42', modelName: 'flight-delay', trainer: 'gbdt', spec: { seed: 7, params: { depth: 4 } } };
    const job = await prisma.trainingJob.create({ data });
    const finished = await prisma.trainingJob.update({
      where: { id: job.id },
      data: {
        status: 'succeeded',
        attempts: 1,
        leaseOwner: 'worker-1',
        leaseExpiresAt: AT,
        cancelRequestedAt: AT,
        error: 'none',
        datasetDigest: 'd1'.repeat(32),
        artifactDigest: 'a1'.repeat(32),
        metrics: { auc: 0.91 },
        registeredVersion: 3,
        startedAt: AT,
        finishedAt: AT,
      },
    });

    expect(job).toMatchObject({ status: 'queued', attempts: 0, metrics: null });
    expect(await prisma.trainingJob.findUniqueOrThrow({ where: { idempotencyKey: 'ci-run-42' } })).toEqual(finished);
    await expect(prisma.trainingJob.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a job event', async () => {
    const job = await prisma.trainingJob.create({ data: { idempotencyKey: 'ci-run-43', modelName: 'flight-delay', trainer: 'mlp', spec: {} } });
    const event = await prisma.jobEvent.create({ data: { jobId: job.id, seq: 1, kind: 'progress', payload: { epoch: 1, loss: 0.42 }, createdAt: AT } });

    expect(await prisma.jobEvent.findUniqueOrThrow({ where: { jobId_seq: { jobId: job.id, seq: 1 } } })).toEqual(event);
  });

  it('round-trips a dataset snapshot', async () => {
    const snapshot = await prisma.datasetSnapshot.create({
      data: {
        digest: 'c3'.repeat(32),
        featureSnapshotId: 'snap-1',
        request: { featureSets: ['flight_delays:2'], label: 'delayed' },
        columns: [{ name: 'delay_avg_7d', type: 'double' }],
        rowCount: 9_007_199_254_740_993n,
      },
    });

    expect(await prisma.datasetSnapshot.findUniqueOrThrow({ where: { digest: 'c3'.repeat(32) } })).toEqual(snapshot);
    expect(snapshot.rowCount).toBe(9_007_199_254_740_993n);
  });
});

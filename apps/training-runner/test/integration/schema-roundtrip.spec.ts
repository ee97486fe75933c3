import { join } from 'node:path';
import { describeMigratedSchema } from '@strata/testing';
import { PrismaClient } from '../../src/generated/prisma/client';

// Proves that prisma/schema.prisma and the hand-written SQL migrations agree: the migrations
// are applied to a fresh database, then one row of every model is written and read back
// through the generated client, on both engines the service runs on.

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');
const AT = new Date('2026-11-28T10:15:30.123Z');

describeMigratedSchema('training-runner', PrismaClient, MIGRATIONS_DIR, (schema) => {
  it('round-trips a training job and refuses a second job with the same idempotency key', async () => {
    const data = { idempotencyKey: 'ci-run-42', modelName: 'flight-delay', trainer: 'gbdt', spec: { seed: 7, params: { depth: 4 } } };
    const job = await schema.prisma.trainingJob.create({ data });
    const finished = await schema.prisma.trainingJob.update({
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
    expect(await schema.prisma.trainingJob.findUniqueOrThrow({ where: { idempotencyKey: 'ci-run-42' } })).toEqual(finished);
    await expect(schema.prisma.trainingJob.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a job event', async () => {
    const job = await schema.prisma.trainingJob.create({ data: { idempotencyKey: 'ci-run-43', modelName: 'flight-delay', trainer: 'mlp', spec: {} } });
    const event = await schema.prisma.jobEvent.create({ data: { jobId: job.id, seq: 1, kind: 'progress', payload: { epoch: 1, loss: 0.42 }, createdAt: AT } });

    expect(await schema.prisma.jobEvent.findUniqueOrThrow({ where: { jobId_seq: { jobId: job.id, seq: 1 } } })).toEqual(event);
  });

  it('round-trips the results, error and artifact of a job, and allows several jobs without an idempotency key', async () => {
    const job = await schema.prisma.trainingJob.create({ data: { modelName: 'flight-delay', trainer: 'gbdt', spec: {}, specDigest: 'ab'.repeat(32) } });
    await schema.prisma.trainingJob.create({ data: { modelName: 'flight-delay', trainer: 'gbdt', spec: {} } });
    const updated = await schema.prisma.trainingJob.update({
      where: { id: job.id },
      data: { results: { metrics: { auc: 0.7 } }, errorCode: 'DATASET_EMPTY', errorRetryable: false, cancelReason: 'x', datasetSnapshotId: 's1', artifactSize: 5_000_000_000n, eventSeq: 3 },
    });
    const artifact = await schema.prisma.jobArtifact.create({ data: { jobId: job.id, sha256: 'cd'.repeat(32), content: new Uint8Array([8, 1, 2]), createdAt: AT } });

    expect(await schema.prisma.trainingJob.findUniqueOrThrow({ where: { id: job.id } })).toEqual(updated);
    expect(await schema.prisma.jobArtifact.findUniqueOrThrow({ where: { jobId: job.id } })).toEqual(artifact);
    expect(await schema.prisma.trainingJob.count({ where: { idempotencyKey: null } })).toBe(2);
  });

  it('round-trips a dataset snapshot', async () => {
    const snapshot = await schema.prisma.datasetSnapshot.create({
      data: {
        digest: 'c3'.repeat(32),
        featureSnapshotId: 'snap-1',
        request: { featureSets: ['flight_delays:2'], label: 'delayed' },
        columns: [{ name: 'delay_avg_7d', type: 'double' }],
        rowCount: 9_007_199_254_740_993n,
      },
    });

    expect(await schema.prisma.datasetSnapshot.findUniqueOrThrow({ where: { digest: 'c3'.repeat(32) } })).toEqual(snapshot);
    expect(snapshot.rowCount).toBe(9_007_199_254_740_993n);
  });
});

import { join } from 'node:path';
import { describeMigratedSchema } from '@strata/testing';
import { Prisma, PrismaClient } from '../../src/generated/prisma/client';

// Proves that prisma/schema.prisma and the hand-written SQL migrations agree: the migrations
// are applied to a fresh database, then one row of every model is written and read back
// through the generated client, on both engines the service runs on.

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');
const AT = new Date('2026-11-28T10:15:30.123Z');
const LATER = new Date('2026-11-28T11:00:00.000Z');
const DIGEST = `sha256:${'a1'.repeat(32)}`;

describeMigratedSchema('feature-service', PrismaClient, MIGRATIONS_DIR, (schema) => {
  const aSource = (name: string) =>
    schema.prisma.source.create({ data: { name, version: 1, digest: DIGEST, spec: { name, entityKeyFields: ['origin'], eventTimeField: 'date' }, createdAt: AT } });
  const aFeatureSet = async (name: string) => {
    const source = await aSource(`${name}_source`);
    return schema.prisma.featureSet.create({ data: { name, version: 2, contractDigest: DIGEST, spec: { name, features: [{ name: 'avg_delay_7d' }] }, sourceId: source.id, owner: 'ml-team' } });
  };

  it('round-trips a source and refuses the same name and version twice', async () => {
    const source = await aSource('flights');

    expect(await schema.prisma.source.findUniqueOrThrow({ where: { name_version: { name: 'flights', version: 1 } } })).toEqual(source);
    expect(source.id).toMatch(/^[0-9a-f-]{36}$/);
    // The stored instant itself is right, not just the value read back through the same adapter.
    expect(await schema.prisma.$queryRawUnsafe(`SELECT created_at = '${AT.toISOString()}'::timestamptz AS "same" FROM sources WHERE name = 'flights'`)).toEqual([{ same: true }]);
    await expect(aSource('flights')).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a feature set with its defaults, materialization marks and statistics', async () => {
    const featureSet = await aFeatureSet('airport_delays');
    const updated = await schema.prisma.featureSet.update({
      where: { id: featureSet.id },
      data: { materializedUntil: AT, onlineGeneration: { increment: 1 }, stats: { features: [{ name: 'avg_delay_7d', nullRate: 0.5 }] }, statsComputedAt: LATER },
    });

    expect(featureSet).toMatchObject({ materializedUntil: null, onlineGeneration: 0n, stats: null, statsComputedAt: null });
    expect(await schema.prisma.featureSet.findUniqueOrThrow({ where: { name_version: { name: 'airport_delays', version: 2 } } })).toEqual(updated);
    expect(updated.onlineGeneration).toBe(1n);
  });

  it('round-trips an event with a bigint id and refuses the same event id twice for a source', async () => {
    const data = { source: 'flights', sourceVersion: 1, entityKey: 'LAS|PHL', eventTime: AT, ingestedAt: LATER, eventId: 'file-1:row-1', payload: { delay: 7, origin: 'LAS' } };
    const event = await schema.prisma.event.create({ data });

    expect(await schema.prisma.event.findUniqueOrThrow({ where: { id: event.id } })).toEqual(event);
    expect(typeof event.id).toBe('bigint');
    await expect(schema.prisma.event.create({ data })).rejects.toMatchObject({ code: 'P2002' });
    expect(await schema.prisma.event.create({ data: { ...data, source: 'other' } })).toMatchObject({ source: 'other' });
  });

  it('round-trips a quarantined row, keeping JSON null apart from a missing value', async () => {
    const row = await schema.prisma.quarantinedRow.create({
      data: { source: 'flights', sourceVersion: 1, reason: 'OUT_OF_RANGE', field: 'delay', message: 'delay -1116 is below the minimum -180', rowIndex: 42n, fields: { delay: -1116 }, raw: '{"delay":-1116}', dedupeKey: 'file-1:row-42' },
    });
    const nullFields = await schema.prisma.quarantinedRow.create({ data: { source: 'flights', sourceVersion: 1, reason: 'UNPARSABLE', message: 'not JSON', rowIndex: 43n, fields: Prisma.JsonNull, raw: '{' } });

    expect(await schema.prisma.quarantinedRow.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    expect(row).toMatchObject({ replayAttempts: 0, eventId: '', jobId: null });
    expect((await schema.prisma.quarantinedRow.findUniqueOrThrow({ where: { id: nullFields.id } })).fields).toBeNull();
  });

  it('round-trips a job through its statuses', async () => {
    const job = await schema.prisma.job.create({ data: { kind: 'materialize', params: { featureSet: { name: 'airport_delays', version: 2 } }, idempotencyKey: 'k1', activeKey: 'a1' } });
    const updated = await schema.prisma.job.update({
      where: { id: job.id },
      data: { status: 'succeeded', counters: { valuesWritten: 10 }, checkpoint: { after: 'LAS' }, attempts: 1, startedAt: AT, finishedAt: LATER, activeKey: null, leaseOwner: 'w1', leaseExpiresAt: LATER },
    });

    expect(job).toMatchObject({ status: 'pending', counters: {}, checkpoint: null, errorMessage: '', cancelRequested: false, attempts: 0 });
    expect(await schema.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toEqual(updated);
    await expect(schema.prisma.job.create({ data: { kind: 'materialize', params: {}, idempotencyKey: 'k1' } })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a feature tile and an online row of a feature set', async () => {
    const featureSet = await aFeatureSet('tiles');
    const tile = await schema.prisma.featureTile.create({
      data: { featureSetId: featureSet.id, entityKey: 'LAS', tileTime: AT, eventCount: 2, maxIngestedAt: LATER, cnt: [2, 1], sm: [30, 0], mn: [10, 0], mx: [20, 0], lst: [20, null] },
    });
    const online = await schema.prisma.onlineFeature.create({ data: { featureSetId: featureSet.id, entityKey: 'LAS', values: [15, null], eventTimes: [AT.toISOString(), null], evaluatedAt: LATER } });

    expect(await schema.prisma.featureTile.findUniqueOrThrow({ where: { featureSetId_entityKey_tileTime: { featureSetId: featureSet.id, entityKey: 'LAS', tileTime: AT } } })).toEqual(tile);
    expect(await schema.prisma.onlineFeature.findUniqueOrThrow({ where: { featureSetId_entityKey: { featureSetId: featureSet.id, entityKey: 'LAS' } } })).toEqual(online);
  });

  it('round-trips a dataset and its rows, with a unique digest', async () => {
    const dataset = await schema.prisma.dataset.create({
      data: { digest: DIGEST, schema: { columns: [{ name: 'entity_id' }] }, rowCount: 1n, featureContracts: [{ name: 'airport_delays', version: 2 }], timeStart: AT, timeEnd: LATER, request: { rows: 1 } },
    });
    const row = await schema.prisma.datasetRow.create({ data: { datasetId: dataset.id, rowNo: 0n, values: ['LAS', AT.toISOString(), 12.5] } });

    expect(await schema.prisma.dataset.findUniqueOrThrow({ where: { digest: DIGEST } })).toEqual(dataset);
    expect(await schema.prisma.datasetRow.findUniqueOrThrow({ where: { datasetId_rowNo: { datasetId: dataset.id, rowNo: 0n } } })).toEqual(row);
    await expect(schema.prisma.dataset.create({ data: { digest: DIGEST, schema: {}, rowCount: 0n, featureContracts: [], request: {} } })).rejects.toMatchObject({ code: 'P2002' });
  });
});

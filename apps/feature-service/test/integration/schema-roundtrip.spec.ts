import { join } from 'node:path';
import { describeMigratedSchema } from '@strata/testing';
import { Prisma, PrismaClient } from '../../src/generated/prisma/client';

// Proves that prisma/schema.prisma and the hand-written SQL migrations agree: the migrations
// are applied to a fresh database, then one row of every model is written and read back
// through the generated client, on both engines the service runs on.

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');
const AT = new Date('2026-11-28T10:15:30.123Z');

describeMigratedSchema('feature-service', PrismaClient, MIGRATIONS_DIR, (schema) => {
  it('round-trips a source', async () => {
    const source = await schema.prisma.source.create({
      data: { name: 'flights', version: 1, digest: 'a1'.repeat(32), spec: { entityKey: ['flight_id'], eventTime: 'ts' }, createdAt: AT },
    });

    expect(await schema.prisma.source.findUniqueOrThrow({ where: { name_version: { name: 'flights', version: 1 } } })).toEqual(source);
    expect(source.createdAt).toEqual(AT);
    // The stored instant itself is right, not just the value read back through the same adapter.
    expect(await schema.prisma.$queryRawUnsafe(`SELECT created_at = '${AT.toISOString()}'::timestamptz AS "same" FROM sources`)).toEqual([{ same: true }]);
  });

  it('round-trips a feature set and one of its online values', async () => {
    const featureSet = await schema.prisma.featureSet.create({
      data: { name: 'flight_delays', version: 2, digest: 'b2'.repeat(32), spec: { features: [{ name: 'delay_avg_7d' }] }, owner: 'ml-team' },
    });
    const onlineValue = await schema.prisma.onlineValue.create({
      data: { featureSetId: featureSet.id, entityKey: 'LH-400', feature: 'delay_avg_7d', value: 12.5, eventTime: AT },
    });

    expect(await schema.prisma.featureSet.findUniqueOrThrow({ where: { id: featureSet.id } })).toEqual(featureSet);
    expect(featureSet.description).toBe('');
    expect(
      await schema.prisma.onlineValue.findUniqueOrThrow({
        where: { featureSetId_entityKey_feature: { featureSetId: featureSet.id, entityKey: 'LH-400', feature: 'delay_avg_7d' } },
      }),
    ).toEqual(onlineValue);
  });

  it('round-trips an event and refuses the same dedupe key twice for a source', async () => {
    const data = { source: 'flights', entityKey: 'LH-400', eventTime: AT, payload: { delay: 7, carrier: 'LH' }, dedupeKey: 'file-1:row-1' };
    const event = await schema.prisma.event.create({ data });

    expect(await schema.prisma.event.findUniqueOrThrow({ where: { id: event.id } })).toEqual(event);
    expect(typeof event.id).toBe('bigint');
    await expect(schema.prisma.event.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a quarantined row', async () => {
    const row = await schema.prisma.quarantinedRow.create({
      data: { source: 'flights', reason: 'delay: expected a number', raw: { delay: 'late' }, replayedAt: AT },
    });

    expect(await schema.prisma.quarantinedRow.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
  });

  it('round-trips a job', async () => {
    const job = await schema.prisma.job.create({
      data: { kind: 'materialize', request: { featureSet: 'flight_delays:2' }, startedAt: AT, error: null },
    });
    const updated = await schema.prisma.job.update({ where: { id: job.id }, data: { status: 'succeeded', progress: 1, finishedAt: AT } });

    expect(job).toMatchObject({ status: 'queued', progress: 0 });
    expect(await schema.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toEqual(updated);
  });

  it('keeps JSON null apart from a missing value', async () => {
    const row = await schema.prisma.quarantinedRow.create({ data: { source: 'flights', reason: 'empty row', raw: Prisma.JsonNull } });

    expect((await schema.prisma.quarantinedRow.findUniqueOrThrow({ where: { id: row.id } })).raw).toBeNull();
  });
});

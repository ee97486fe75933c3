import { join } from 'node:path';
import { describeMigratedSchema } from '@strata/testing';
import { PrismaClient } from '../../src/generated/prisma/client';

// Proves that prisma/schema.prisma and the hand-written SQL migrations agree: the migrations
// are applied to a fresh database, then one row of every model is written and read back
// through the generated client, on both engines the service runs on.

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');
const AT = new Date('2026-11-28T10:15:30.123Z');

describeMigratedSchema('inference-service', PrismaClient, MIGRATIONS_DIR, (schema) => {
  it('round-trips an artifact cache entry, keyed by digest', async () => {
    const data = { digest: 'ef'.repeat(32), modelName: 'flight-delay', version: 3, path: '/var/cache/strata/efef.onnx', sizeBytes: 12_345n, lastUsedAt: AT };
    const entry = await schema.prisma.artifactCacheEntry.create({ data });

    expect(await schema.prisma.artifactCacheEntry.findUniqueOrThrow({ where: { digest: data.digest } })).toEqual(entry);
    await expect(schema.prisma.artifactCacheEntry.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a load event', async () => {
    const event = await schema.prisma.loadEvent.create({
      data: { modelName: 'flight-delay', version: 3, digest: 'ef'.repeat(32), kind: 'warmed', detail: '3 warm-up requests', durationMs: 41, createdAt: AT },
    });

    expect(await schema.prisma.loadEvent.findUniqueOrThrow({ where: { id: event.id } })).toEqual(event);
  });
});

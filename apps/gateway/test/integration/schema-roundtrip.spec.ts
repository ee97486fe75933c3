import { join } from 'node:path';
import { describeMigratedSchema } from '@strata/testing';
import { PrismaClient } from '../../src/generated/prisma/client';

// Proves that prisma/schema.prisma and the hand-written SQL migrations agree: the migrations
// are applied to a fresh database, then one row of every model is written and read back
// through the generated client, on both engines the service runs on.

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');
const AT = new Date('2026-11-28T10:15:30.123Z');

describeMigratedSchema('gateway', PrismaClient, MIGRATIONS_DIR, (schema) => {
  it('round-trips an API key, and refuses a second key with the same prefix', async () => {
    const data = { prefix: 'sk_ab12cd34', hash: 'f0'.repeat(32), name: 'checkout', allowedModels: ['flight-delay', 'churn'], rateLimitPerSecond: 50, burst: 100, revokedAt: AT };
    const key = await schema.prisma.apiKey.create({ data });

    expect(await schema.prisma.apiKey.findUniqueOrThrow({ where: { prefix: 'sk_ab12cd34' } })).toEqual(key);
    expect((await schema.prisma.apiKey.create({ data: { prefix: 'sk_00000000', hash: 'x', name: 'empty' } })).allowedModels).toEqual([]);
    await expect(schema.prisma.apiKey.create({ data })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('round-trips a day of usage for a key', async () => {
    const key = await schema.prisma.apiKey.create({ data: { prefix: 'sk_usage001', hash: 'e1'.repeat(32), name: 'usage' } });
    const day = new Date('2026-11-28T00:00:00.000Z');
    const usage = await schema.prisma.apiKeyUsage.create({ data: { apiKeyId: key.id, day, requests: 3n } });

    expect(await schema.prisma.apiKeyUsage.findUniqueOrThrow({ where: { apiKeyId_day: { apiKeyId: key.id, day } } })).toEqual(usage);
    expect(usage.day).toEqual(day);
  });
});

import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import type { ApiKey, ApiKeyCursor, NewApiKey, StoredApiKey } from './api-key';
import type { ApiKeyStore, InsertOutcome } from './api-key.store';

type ApiKeyRow = Prisma.ApiKeyGetPayload<object>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The api_keys table. The only Prisma user of the API key domain. */
@Injectable()
export class ApiKeyRepository implements ApiKeyStore {
  constructor(private readonly prisma: PrismaClient) {}

  async insert(key: NewApiKey, now: Date): Promise<InsertOutcome> {
    try {
      const row = await this.prisma.$transaction(async (tx) => {
        // An expired key keeps its name until retired; the partial unique index covers non-revoked rows only.
        await tx.$executeRaw`UPDATE "api_keys" SET "revoked_at" = "expires_at" WHERE "name" = ${key.name} AND "revoked_at" IS NULL AND "expires_at" <= ${now}`;
        return tx.apiKey.create({
          data: {
            prefix: key.prefix,
            hash: key.hash,
            name: key.name,
            allowedModels: [...key.allowedModels],
            rateLimitPerSecond: key.rateLimitPerSecond ?? null,
            burst: key.burst ?? null,
            createdBy: key.createdBy,
            description: key.description,
            createdAt: key.createdAt,
            expiresAt: key.expiresAt ?? null,
          },
        });
      });
      return { inserted: toApiKey(row) };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Which unique index refused it: a prefix collision (2^-32 per pair) is retried by the caller.
      const samePrefix = await this.prisma.apiKey.count({ where: { prefix: key.prefix } });
      return { conflict: samePrefix > 0 ? 'prefix' : 'name' };
    }
  }

  async findByPrefix(prefix: string): Promise<StoredApiKey | undefined> {
    const row = await this.prisma.apiKey.findUnique({ where: { prefix } });
    return row === null ? undefined : { ...toApiKey(row), hash: row.hash };
  }

  async findById(id: string): Promise<ApiKey | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    return row === null ? undefined : toApiKey(row);
  }

  async revoke(id: string, at: Date): Promise<ApiKey | undefined> {
    if (!UUID.test(id)) return undefined;
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    return this.findById(id);
  }

  async list(query: { readonly includeInactive: boolean; readonly now: Date; readonly after: ApiKeyCursor | undefined; readonly limit: number }): Promise<ApiKey[]> {
    const { after } = query;
    const where: Prisma.ApiKeyWhereInput = {
      AND: [
        query.includeInactive ? {} : { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: query.now } }] },
        after === undefined ? {} : { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] },
      ],
    };
    const rows = await this.prisma.apiKey.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit });
    return rows.map(toApiKey);
  }

  async touch(id: string, at: Date, minIntervalMs: number): Promise<void> {
    const before = new Date(at.getTime() - minIntervalMs);
    await this.prisma.apiKey.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: before } }] }, data: { lastUsedAt: at } });
  }
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    allowedModels: row.allowedModels,
    rateLimitPerSecond: row.rateLimitPerSecond ?? undefined,
    burst: row.burst ?? undefined,
    createdBy: row.createdBy,
    description: row.description,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt ?? undefined,
    revokedAt: row.revokedAt ?? undefined,
    lastUsedAt: row.lastUsedAt ?? undefined,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '@strata/service-runtime';
import { seededRandom } from '@strata/testing';
import type { Logger } from 'pino';
import { type ApiKey, type ApiKeyRequest, isActive, type NewApiKey, type StoredApiKey } from './api-key';
import { hashSecret } from './api-key-secret';
import { ApiKeyService } from './api-key.service';
import type { ApiKeyStore, InsertOutcome } from './api-key.store';
import type { Clock } from './clock';

const T0 = new Date('2026-11-29T10:00:00.000Z');
const ADMIN = { subject: 'ops' };

class FixedClock implements Clock {
  constructor(public time: Date) {}
  now(): Date {
    return this.time;
  }
  advance(ms: number): void {
    this.time = new Date(this.time.getTime() + ms);
  }
}

/** The api_keys table in memory, with the same uniqueness rules as the migration. */
class InMemoryApiKeyStore implements ApiKeyStore {
  readonly rows: StoredApiKey[] = [];
  private nextId = 1;

  insert(key: NewApiKey, now: Date): Promise<InsertOutcome> {
    for (const [index, row] of this.rows.entries()) {
      if (row.name === key.name && row.revokedAt === undefined && row.expiresAt !== undefined && row.expiresAt <= now) this.rows[index] = { ...row, revokedAt: row.expiresAt };
    }
    if (this.rows.some((row) => row.prefix === key.prefix)) return Promise.resolve({ conflict: 'prefix' });
    if (this.rows.some((row) => row.name === key.name && row.revokedAt === undefined)) return Promise.resolve({ conflict: 'name' });
    const id = `00000000-0000-7000-8000-${String(this.nextId++).padStart(12, '0')}`;
    const row: StoredApiKey = { ...key, id, revokedAt: undefined, lastUsedAt: undefined };
    this.rows.push(row);
    return Promise.resolve({ inserted: withoutHash(row) });
  }

  findByPrefix(prefix: string): Promise<StoredApiKey | undefined> {
    return Promise.resolve(this.rows.find((row) => row.prefix === prefix));
  }

  findById(id: string): Promise<ApiKey | undefined> {
    const row = this.rows.find((candidate) => candidate.id === id);
    return Promise.resolve(row === undefined ? undefined : withoutHash(row));
  }

  async revoke(id: string, at: Date): Promise<ApiKey | undefined> {
    const index = this.rows.findIndex((row) => row.id === id);
    const row = this.rows[index];
    if (row === undefined) return undefined;
    if (row.revokedAt === undefined) this.rows[index] = { ...row, revokedAt: at };
    return this.findById(id);
  }

  list(query: { includeInactive: boolean; now: Date; after: { createdAt: Date; id: string } | undefined; limit: number }): Promise<ApiKey[]> {
    const { after } = query;
    const rows = [...this.rows]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id))
      .filter((row) => query.includeInactive || isActive(row, query.now))
      .filter((row) => after === undefined || row.createdAt < after.createdAt || (row.createdAt.getTime() === after.createdAt.getTime() && row.id < after.id));
    return Promise.resolve(rows.slice(0, query.limit).map(withoutHash));
  }

  touch(): Promise<void> {
    return Promise.resolve();
  }
}

function withoutHash(row: StoredApiKey): ApiKey {
  const { hash: _hash, ...key } = row;
  return key;
}

function aRequest(overrides: Partial<ApiKeyRequest> = {}): ApiKeyRequest {
  return { name: 'checkout-web', allowedModels: [], rateLimitPerSecond: 0, burst: 0, expiresAt: undefined, description: '', ...overrides };
}

function silentLogger(): Logger {
  return { info: jest.fn(), warn: jest.fn() } as unknown as Logger;
}

function aService(overrides: { random?: (size: number) => Buffer } = {}) {
  const store = new InMemoryApiKeyStore();
  const clock = new FixedClock(T0);
  const revoked: string[] = [];
  const random = seededRandom(7);
  const bytes = overrides.random ?? ((size: number) => Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256))));
  const service = new ApiKeyService(store, clock, { revoked: (id) => revoked.push(id) }, silentLogger(), bytes);
  return { service, store, clock, revoked };
}

async function violationsOf(call: Promise<unknown>): Promise<string[]> {
  try {
    await call;
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.fieldViolations.map((violation) => violation.field);
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe(ApiKeyService.name, () => {
  it('returns the secret once and stores only its sha256 and prefix', async () => {
    const { service, store } = aService();

    const { apiKey, secret } = await service.create(aRequest({ allowedModels: ['churn'], rateLimitPerSecond: 20, description: 'web' }), ADMIN);

    expect(secret).toMatch(/^sk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`${apiKey.prefix}_`)).toBe(true);
    expect(apiKey).toMatchObject({ name: 'checkout-web', allowedModels: ['churn'], rateLimitPerSecond: 20, burst: undefined, createdBy: 'ops', description: 'web', createdAt: T0 });
    expect(store.rows[0]!.hash).toBe(hashSecret(secret));
    expect(JSON.stringify(store.rows)).not.toContain(secret.slice(12));
  });

  it('refuses a second active key with the same name, and accepts it once the first is revoked or expired', async () => {
    const { service, clock } = aService();
    const first = await service.create(aRequest(), ADMIN);

    await expect(service.create(aRequest(), ADMIN)).rejects.toThrow(AlreadyExistsError);
    await service.revoke(first.apiKey.id, 'rotated', ADMIN);
    const second = await service.create(aRequest({ expiresAt: new Date(T0.getTime() + 1_000) }), ADMIN);
    clock.advance(1_000);
    const third = await service.create(aRequest(), ADMIN);

    expect(new Set([first.apiKey.id, second.apiKey.id, third.apiKey.id]).size).toBe(3);
  });

  it('names every bad field: name, rate limit, burst, expiry in the past, empty model names', async () => {
    const { service } = aService();

    expect(await violationsOf(service.create(aRequest({ name: 'Checkout' }), ADMIN))).toEqual(['name']);
    expect(await violationsOf(service.create(aRequest({ name: '' }), ADMIN))).toEqual(['name']);
    expect(await violationsOf(service.create(aRequest({ name: `a${'b'.repeat(63)}` }), ADMIN))).toEqual(['name']);
    expect(
      await violationsOf(service.create(aRequest({ name: '-x', rateLimitPerSecond: 2_000_000, burst: 1.5, expiresAt: T0, allowedModels: ['ok', ' '] }), ADMIN)),
    ).toEqual(['name', 'allowed_models[1]', 'rate_limit.requests_per_second', 'rate_limit.burst', 'expires_at']);
  });

  it('names the bad field and its rule in the status message itself, not only in the details', async () => {
    const { service } = aService();

    await expect(service.create(aRequest({ name: 'Checkout' }), ADMIN)).rejects.toThrow(/^invalid CreateApiKey request: name: .+/);
  });

  it('accepts names of one to 63 characters with digits, _ and -', async () => {
    const { service } = aService();

    for (const name of ['a', '0', 'checkout_web-2', `a${'b'.repeat(62)}`]) await expect(service.create(aRequest({ name }), ADMIN)).resolves.toBeDefined();
  });

  it('draws a new secret when the prefix is taken', async () => {
    const sequence = [Buffer.alloc(4, 1), Buffer.alloc(32, 2), Buffer.alloc(4, 1), Buffer.alloc(32, 3), Buffer.alloc(4, 4), Buffer.alloc(32, 5)];
    const { service } = aService({ random: () => sequence.shift()! });

    const first = await service.create(aRequest({ name: 'one' }), ADMIN);
    const second = await service.create(aRequest({ name: 'two' }), ADMIN);

    expect([first.apiKey.prefix, second.apiKey.prefix]).toEqual(['sk_01010101', 'sk_04040404']);
  });

  it('revokes once, returns the same record when revoked again, and tells the verifier each time', async () => {
    const { service, clock, revoked } = aService();
    const { apiKey } = await service.create(aRequest(), ADMIN);

    clock.advance(5_000);
    const first = await service.revoke(apiKey.id, 'leaked', ADMIN);
    clock.advance(5_000);
    const again = await service.revoke(apiKey.id, '', ADMIN);

    expect(first.revokedAt).toEqual(new Date(T0.getTime() + 5_000));
    expect(again).toEqual(first);
    expect(revoked).toEqual([apiKey.id, apiKey.id]);
  });

  it('answers NOT_FOUND for an unknown key and INVALID_ARGUMENT for a missing id', async () => {
    const { service } = aService();

    await expect(service.revoke('00000000-0000-7000-8000-000000000099', '', ADMIN)).rejects.toThrow(NotFoundError);
    expect(await violationsOf(service.revoke('', '', ADMIN))).toEqual(['id']);
  });

  it('lists newest first in pages, active keys only unless inactive ones are asked for', async () => {
    const { service, clock } = aService();
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      ids.push((await service.create(aRequest({ name }), ADMIN)).apiKey.id);
      if (name !== 'c') clock.advance(1_000);
    }
    await service.revoke(ids[1]!, '', ADMIN);

    const first = await service.list(false, { pageSize: 2, pageToken: '' });
    const second = await service.list(false, { pageSize: 2, pageToken: first.nextPageToken });
    const all = await service.list(true, { pageSize: 0, pageToken: '' });

    expect(first.items.map((key) => key.name)).toEqual(['e', 'd']);
    expect(second.items.map((key) => key.name)).toEqual(['c', 'a']);
    expect(second.nextPageToken).toBe('');
    expect(all.items.map((key) => key.name)).toEqual(['e', 'd', 'c', 'b', 'a']);
    await expect(service.list(true, { pageSize: 2, pageToken: first.nextPageToken })).rejects.toThrow(InvalidArgumentError);
  });
});

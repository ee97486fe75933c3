import { UnauthenticatedError } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { StoredApiKey } from './api-key';
import { generateSecret } from './api-key-secret';
import { ApiKeyVerifier, type ApiKeyVerifierOptions } from './api-key.verifier';
import type { Clock } from './clock';

const T0 = new Date('2026-11-29T10:00:00.000Z');
const TTL = 5_000;

class FixedClock implements Clock {
  constructor(public time: Date) {}
  now(): Date {
    return this.time;
  }
  advance(ms: number): void {
    this.time = new Date(this.time.getTime() + ms);
  }
}

/** findByPrefix/touch over a list of rows, counting lookups and recording touches. */
class FakeKeys {
  rows: StoredApiKey[] = [];
  lookups = 0;
  readonly touches: { id: string; at: Date }[] = [];
  touchFails = false;

  findByPrefix(prefix: string): Promise<StoredApiKey | undefined> {
    this.lookups++;
    return Promise.resolve(this.rows.find((row) => row.prefix === prefix));
  }

  touch(id: string, at: Date): Promise<void> {
    this.touches.push({ id, at });
    return this.touchFails ? Promise.reject(new Error('database down')) : Promise.resolve();
  }

  /** Adds a key and returns its secret. */
  add(overrides: Partial<StoredApiKey> = {}, seed = this.rows.length + 1): string {
    const { secret, prefix, hash } = generateSecret((size) => Buffer.alloc(size, seed));
    this.rows.push({
      id: `key-${seed}`,
      name: `key-${seed}`,
      prefix,
      hash,
      allowedModels: [],
      rateLimitPerSecond: undefined,
      burst: undefined,
      createdBy: 'ops',
      description: '',
      createdAt: T0,
      expiresAt: undefined,
      revokedAt: undefined,
      lastUsedAt: undefined,
      ...overrides,
    });
    return secret;
  }

  update(id: string, change: Partial<StoredApiKey>): void {
    this.rows = this.rows.map((row) => (row.id === id ? { ...row, ...change } : row));
  }
}

function aVerifier(options: Partial<ApiKeyVerifierOptions> = {}) {
  const keys = new FakeKeys();
  const clock = new FixedClock(T0);
  const warn = jest.fn();
  const verifier = new ApiKeyVerifier(keys, clock, { cacheTtlMs: TTL, defaultRateLimitPerSecond: 100, ...options }, { warn } as unknown as Logger);
  return { verifier, keys, clock, warn };
}

async function rejection(call: Promise<unknown>): Promise<UnauthenticatedError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof UnauthenticatedError) return error;
    throw error;
  }
  throw new Error('expected UNAUTHENTICATED');
}

describe(ApiKeyVerifier.name, () => {
  it('returns the key with its allowed models and rate limit, defaults applied', async () => {
    const { verifier, keys } = aVerifier();
    const plain = keys.add({ id: 'plain', name: 'plain' });
    const limited = keys.add({ id: 'limited', name: 'limited', allowedModels: ['churn'], rateLimitPerSecond: 20 });
    const bursty = keys.add({ id: 'bursty', name: 'bursty', rateLimitPerSecond: 20, burst: 50 });

    expect(await verifier.verify(plain)).toEqual({ id: 'plain', name: 'plain', allowedModels: [], rateLimit: { perSecond: 100, burst: 100 } });
    expect(await verifier.verify(limited)).toEqual({ id: 'limited', name: 'limited', allowedModels: ['churn'], rateLimit: { perSecond: 20, burst: 20 } });
    expect((await verifier.verify(bursty)).rateLimit).toEqual({ perSecond: 20, burst: 50 });
  });

  it('refuses missing, malformed, unknown and wrong-secret keys without echoing them', async () => {
    const { verifier, keys } = aVerifier();
    const secret = keys.add();
    const wrongSecret = `${secret.slice(0, 12)}${'A'.repeat(43)}`;
    const unknown = generateSecret((size) => Buffer.alloc(size, 200)).secret;

    expect((await rejection(verifier.verify(''))).message).toMatch(/missing API key/);
    for (const presented of ['garbage', `${secret}x`, 'sk_zzzzzzzz_' + 'A'.repeat(43), wrongSecret, unknown]) {
      const error = await rejection(verifier.verify(presented));
      expect(error.message).toBe('invalid API key');
      expect(error.message).not.toContain(presented);
    }
    expect(keys.lookups).toBe(2);
  });

  it('serves a key from the cache within the TTL and looks it up again after', async () => {
    const { verifier, keys, clock } = aVerifier();
    const secret = keys.add();

    await Promise.all([verifier.verify(secret), verifier.verify(secret), verifier.verify(secret)]);
    clock.advance(TTL - 1);
    await verifier.verify(secret);
    expect(keys.lookups).toBe(1);

    clock.advance(1);
    await verifier.verify(secret);
    expect(keys.lookups).toBe(2);
  });

  it('keeps accepting a key revoked on another replica until the TTL passes, then refuses it', async () => {
    const { verifier, keys, clock } = aVerifier();
    const secret = keys.add({ id: 'k' });
    await verifier.verify(secret);

    keys.update('k', { revokedAt: T0 });
    clock.advance(TTL - 1);
    await expect(verifier.verify(secret)).resolves.toMatchObject({ id: 'k' });
    clock.advance(1);

    expect((await rejection(verifier.verify(secret))).message).toBe('invalid API key: revoked');
  });

  it('refuses a key revoked on this replica at once', async () => {
    const { verifier, keys } = aVerifier();
    const secret = keys.add({ id: 'k' });
    await verifier.verify(secret);

    keys.update('k', { revokedAt: T0 });
    verifier.revoked('k');

    await expect(verifier.verify(secret)).rejects.toThrow(UnauthenticatedError);
  });

  it('does not cache a lookup that was in flight when the key was revoked', async () => {
    const { verifier, keys } = aVerifier();
    const secret = keys.add({ id: 'k' });
    const inFlight = verifier.verify(secret);
    keys.update('k', { revokedAt: T0 });
    verifier.revoked('k');
    await inFlight;

    await expect(verifier.verify(secret)).rejects.toThrow(/revoked/);
  });

  it('refuses a key from its expiry on, even while cached', async () => {
    const { verifier, keys, clock } = aVerifier({ cacheTtlMs: 60_000 });
    const secret = keys.add({ expiresAt: new Date(T0.getTime() + 1_000) });
    await verifier.verify(secret);

    clock.advance(1_000);

    expect((await rejection(verifier.verify(secret))).message).toBe('invalid API key: expired');
  });

  it('records the last use at most once a minute, and only logs a failed write', async () => {
    const { verifier, keys, clock, warn } = aVerifier();
    const secret = keys.add({ id: 'k' });

    await verifier.verify(secret);
    clock.advance(59_999);
    await verifier.verify(secret);
    clock.advance(1);
    keys.touchFails = true;
    await verifier.verify(secret);
    await new Promise(setImmediate);

    expect(keys.touches).toEqual([
      { id: 'k', at: T0 },
      { id: 'k', at: new Date(T0.getTime() + 60_000) },
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('skips the write when another replica recorded a use within the minute', async () => {
    const { verifier, keys } = aVerifier();
    const secret = keys.add({ lastUsedAt: new Date(T0.getTime() - 30_000) });

    await verifier.verify(secret);

    expect(keys.touches).toEqual([]);
  });

  it('keeps at most maxCachedKeys lookups, dropping the oldest', async () => {
    const { verifier, keys } = aVerifier({ maxCachedKeys: 2 });
    const secrets = [keys.add(), keys.add(), keys.add()];

    for (const secret of secrets) await verifier.verify(secret);
    await verifier.verify(secrets[2]!);
    await verifier.verify(secrets[1]!);
    expect(keys.lookups).toBe(3);
    await verifier.verify(secrets[0]!);
    expect(keys.lookups).toBe(4);
  });
});

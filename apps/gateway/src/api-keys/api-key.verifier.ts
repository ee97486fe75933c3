import { UnauthenticatedError } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { effectiveRateLimit, isActive, type StoredApiKey, type VerifiedKey } from './api-key';
import { hashesEqual, hashSecret, prefixOf } from './api-key-secret';
import type { ApiKeyStore } from './api-key.store';
import type { RevocationListener } from './api-key.service';
import type { Clock } from './clock';

/** How the verifier caches and what it fills in. */
export interface ApiKeyVerifierOptions {
  /** How long a lookup (found or not) is reused; a key revoked on another replica stops working within this time. */
  readonly cacheTtlMs: number;
  /** Rate of a key stored without one (its burst defaults to its rate). */
  readonly defaultRateLimitPerSecond: number;
  /** Cached lookups kept at most; the oldest go first. Default 10,000. */
  readonly maxCachedKeys?: number;
  /** last_used_at is written at most this often per key. Default 60 s. */
  readonly lastUsedIntervalMs?: number;
}

interface CacheEntry {
  /** The row and what the request path gets from it; undefined = no key with this hash. */
  readonly key: { readonly stored: StoredApiKey; readonly verified: VerifiedKey } | undefined;
  readonly loadedAtMs: number;
}

const INVALID = 'invalid API key';

/**
 * Checks API keys on the request path. Lookups by the key's prefix are cached in process,
 * keyed by the SHA-256 of the presented key (the key itself is never kept or echoed);
 * concurrent lookups of one key share one query. last_used_at is written off the hot path.
 */
export class ApiKeyVerifier implements RevocationListener {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly loading = new Map<string, Promise<CacheEntry>>();
  private readonly lastTouchedMs = new Map<string, number>();
  private readonly maxCachedKeys: number;
  private readonly lastUsedIntervalMs: number;
  // Bumped on every revocation, so a lookup that started before it is not cached after it.
  private generation = 0;

  constructor(
    private readonly store: Pick<ApiKeyStore, 'findByPrefix' | 'touch'>,
    private readonly clock: Clock,
    private readonly options: ApiKeyVerifierOptions,
    private readonly logger: Logger,
  ) {
    this.maxCachedKeys = options.maxCachedKeys ?? 10_000;
    this.lastUsedIntervalMs = options.lastUsedIntervalMs ?? 60_000;
  }

  /**
   * The key's identity, allowed models and rate limit. Throws UnauthenticatedError for a
   * missing, malformed, unknown, revoked or expired key.
   */
  async verify(presentedKey: string): Promise<VerifiedKey> {
    if (presentedKey === '') throw new UnauthenticatedError('missing API key: send "x-api-key: <key>" or "authorization: Bearer <key>"');
    const prefix = prefixOf(presentedKey);
    if (prefix === undefined) throw new UnauthenticatedError(INVALID);
    const hash = hashSecret(presentedKey);
    const nowMs = this.clock.now().getTime();
    let entry = this.cache.get(hash);
    if (entry === undefined || nowMs - entry.loadedAtMs >= this.options.cacheTtlMs) entry = await this.load(hash, prefix);
    const key = entry.key;
    if (key === undefined) throw new UnauthenticatedError(INVALID);
    if (key.stored.revokedAt !== undefined) throw new UnauthenticatedError(`${INVALID}: revoked`);
    if (!isActive(key.stored, new Date(nowMs))) throw new UnauthenticatedError(`${INVALID}: expired`);
    this.noteUse(key.stored, nowMs);
    return key.verified;
  }

  /** Drops a revoked key from this replica's cache at once. */
  revoked(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.cache) if (entry.key?.stored.id === keyId) this.cache.delete(hash);
  }

  private load(hash: string, prefix: string): Promise<CacheEntry> {
    const pending = this.loading.get(hash);
    if (pending !== undefined) return pending;
    const generation = this.generation;
    const promise = this.lookUp(hash, prefix)
      .then((entry) => {
        if (generation === this.generation) this.remember(hash, entry);
        return entry;
      })
      .finally(() => this.loading.delete(hash));
    this.loading.set(hash, promise);
    return promise;
  }

  private async lookUp(hash: string, prefix: string): Promise<CacheEntry> {
    const stored = await this.store.findByPrefix(prefix);
    const loadedAtMs = this.clock.now().getTime();
    if (stored === undefined || !hashesEqual(stored.hash, hash)) return { key: undefined, loadedAtMs };
    const verified: VerifiedKey = {
      id: stored.id,
      name: stored.name,
      allowedModels: stored.allowedModels,
      rateLimit: effectiveRateLimit(stored, this.options.defaultRateLimitPerSecond),
    };
    return { key: { stored, verified }, loadedAtMs };
  }

  private remember(hash: string, entry: CacheEntry): void {
    this.cache.delete(hash);
    this.cache.set(hash, entry);
    // Map iteration is insertion order: the first entries are the oldest lookups.
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= this.maxCachedKeys) break;
      this.cache.delete(oldest);
    }
  }

  // Writes last_used_at at most once per interval per key, without delaying the request.
  private noteUse(key: StoredApiKey, nowMs: number): void {
    const lastMs = this.lastTouchedMs.get(key.id) ?? key.lastUsedAt?.getTime();
    if (lastMs !== undefined && nowMs - lastMs < this.lastUsedIntervalMs) return;
    this.lastTouchedMs.set(key.id, nowMs);
    if (this.lastTouchedMs.size > this.maxCachedKeys) {
      const [oldest] = this.lastTouchedMs.keys();
      if (oldest !== undefined) this.lastTouchedMs.delete(oldest);
    }
    this.store.touch(key.id, new Date(nowMs), this.lastUsedIntervalMs).catch((error: unknown) => {
      this.logger.warn({ err: error, apiKeyId: key.id }, `could not record last use of api key prefix=${key.prefix}`);
    });
  }
}

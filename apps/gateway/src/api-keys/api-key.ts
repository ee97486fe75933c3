/** An API key as admins see it: everything but its secret. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  /** Public start of the secret (`sk_<8 hex>`), to recognise a key in logs and listings. */
  readonly prefix: string;
  /** Models the key may call; empty = every model. */
  readonly allowedModels: readonly string[];
  /** Requests per second as stored; undefined = the gateway default. */
  readonly rateLimitPerSecond: number | undefined;
  /** Bucket capacity as stored; undefined = equal to the rate. */
  readonly burst: number | undefined;
  /** Subject of the admin token that created it. */
  readonly createdBy: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | undefined;
  readonly revokedAt: Date | undefined;
  readonly lastUsedAt: Date | undefined;
}

/** A stored key with the SHA-256 (hex) of its secret: what the verifier compares against. */
export interface StoredApiKey extends ApiKey {
  readonly hash: string;
}

/** What CreateApiKey asks for, before validation. */
export interface ApiKeyRequest {
  readonly name: string;
  readonly allowedModels: readonly string[];
  /** 0 = the gateway default. */
  readonly rateLimitPerSecond: number;
  /** 0 = equal to the rate. */
  readonly burst: number;
  readonly expiresAt: Date | undefined;
  readonly description: string;
}

/** A validated key to insert. */
export interface NewApiKey {
  readonly prefix: string;
  readonly hash: string;
  readonly name: string;
  readonly allowedModels: readonly string[];
  readonly rateLimitPerSecond: number | undefined;
  readonly burst: number | undefined;
  readonly createdBy: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | undefined;
}

/** A created key and its secret, which exists only in this value and is never stored. */
export interface CreatedApiKey {
  readonly apiKey: ApiKey;
  readonly secret: string;
}

/** Where a list page resumes: after the key created at `createdAt` with `id` (newest first). */
export interface ApiKeyCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** A key's effective token-bucket limit, defaults applied. */
export interface EffectiveRateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** What the request path learns from a valid API key. */
export interface VerifiedKey {
  readonly id: string;
  readonly name: string;
  /** Models the key may call; empty = every model. */
  readonly allowedModels: readonly string[];
  readonly rateLimit: EffectiveRateLimit;
}

/** Whether `key` is usable at `now`: not revoked and not past its expiry. */
export function isActive(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: Date): boolean {
  return key.revokedAt === undefined && (key.expiresAt === undefined || key.expiresAt.getTime() > now.getTime());
}

/** The key's limit with the gateway defaults: rate 0/unset → `defaultPerSecond`, burst 0/unset → the rate. */
export function effectiveRateLimit(key: Pick<ApiKey, 'rateLimitPerSecond' | 'burst'>, defaultPerSecond: number): EffectiveRateLimit {
  const perSecond = key.rateLimitPerSecond === undefined || key.rateLimitPerSecond === 0 ? defaultPerSecond : key.rateLimitPerSecond;
  const burst = key.burst === undefined || key.burst === 0 ? perSecond : key.burst;
  return { perSecond, burst };
}

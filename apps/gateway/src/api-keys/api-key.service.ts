import { type FieldViolation, InvalidArgumentError, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { ApiKey, ApiKeyCursor, ApiKeyRequest, CreatedApiKey } from './api-key';
import { generateSecret, type RandomBytes } from './api-key-secret';
import { apiKeyNameTaken, apiKeyNotFound } from './api-key.errors';
import type { ApiKeyStore } from './api-key.store';
import type { Clock } from './clock';

/** Unique key names (proto CreateApiKeyRequest.name). */
export const API_KEY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Largest rate or burst a key may ask for (the gateway's own DEFAULT_RATE_LIMIT_PER_SECOND bound). */
export const MAX_RATE_LIMIT = 1_000_000;
const MAX_DESCRIPTION_LENGTH = 1_000;
const MAX_ALLOWED_MODELS = 1_000;
// A clash of two 32-bit prefixes is rare; three in a row means something else is wrong.
const PREFIX_ATTEMPTS = 3;

// Page tokens carry `<created_at ISO>|<id>` of the last key of the page.
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/;
const byNewest = new PageTokens<string>((value): value is string => typeof value === 'string' && CURSOR.test(value));

/** Is told when a key is revoked, so this replica stops accepting it at once (the verifier's cache). */
export interface RevocationListener {
  revoked(keyId: string): void;
}

/** Who asks: the admin token's subject. */
export interface AdminActor {
  readonly subject: string;
}

/** API key administration: create (the secret is returned once), revoke, list. */
export class ApiKeyService {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
    private readonly revocations: RevocationListener,
    private readonly logger: Logger,
    private readonly random?: RandomBytes,
  ) {}

  /** Creates a key; INVALID_ARGUMENT with every bad field, ALREADY_EXISTS when an active key has the name. */
  async create(request: ApiKeyRequest, actor: AdminActor): Promise<CreatedApiKey> {
    const now = this.clock.now();
    const violations = requestViolations(request, now);
    if (violations.length > 0) throw InvalidArgumentError.listing('invalid CreateApiKey request', violations);
    for (let attempt = 1; ; attempt++) {
      const { secret, prefix, hash } = generateSecret(this.random);
      const outcome = await this.store.insert(
        {
          prefix,
          hash,
          name: request.name,
          allowedModels: request.allowedModels,
          rateLimitPerSecond: request.rateLimitPerSecond === 0 ? undefined : request.rateLimitPerSecond,
          burst: request.burst === 0 ? undefined : request.burst,
          createdBy: actor.subject,
          description: request.description,
          createdAt: now,
          expiresAt: request.expiresAt,
        },
        now,
      );
      if ('inserted' in outcome) {
        const key = outcome.inserted;
        this.logger.info({ apiKeyId: key.id, apiKey: key.name, prefix: key.prefix, actor: actor.subject }, `created api key name=${key.name} prefix=${key.prefix} by=${actor.subject}`);
        return { apiKey: key, secret };
      }
      if (outcome.conflict === 'name') throw apiKeyNameTaken(request.name);
      if (attempt >= PREFIX_ATTEMPTS) throw new Error(`could not find a free API key prefix in ${PREFIX_ATTEMPTS} attempts`);
    }
  }

  /** Revokes a key (idempotent: an already revoked key is returned unchanged); NOT_FOUND when unknown. */
  async revoke(id: string, reason: string, actor: AdminActor): Promise<ApiKey> {
    if (id === '') throw new InvalidArgumentError('id is required', [{ field: 'id', description: 'required' }]);
    const before = await this.store.findById(id);
    if (before === undefined) throw apiKeyNotFound(id);
    const key = before.revokedAt === undefined ? await this.store.revoke(id, this.clock.now()) : before;
    if (key === undefined) throw apiKeyNotFound(id);
    this.revocations.revoked(key.id);
    if (before.revokedAt === undefined) {
      this.logger.info(
        { apiKeyId: key.id, apiKey: key.name, prefix: key.prefix, actor: actor.subject, reason },
        `revoked api key name=${key.name} prefix=${key.prefix} by=${actor.subject} reason=${reason || '-'}`,
      );
    }
    return key;
  }

  /** Keys newest first, one page at a time; revoked and expired ones only with `includeInactive`. */
  async list(includeInactive: boolean, page: PageRequest): Promise<Page<ApiKey>> {
    const pageSize = pageSizeOf(page);
    const query = { includeInactive };
    const token = byNewest.decode(page.pageToken, query);
    const rows = await this.store.list({ includeInactive, now: this.clock.now(), after: token === undefined ? undefined : cursorOf(token), limit: pageSize + 1 });
    return pageOf(rows, pageSize, (key) => `${key.createdAt.toISOString()}|${key.id}`, byNewest, query);
  }
}

function cursorOf(token: string): ApiKeyCursor {
  const [, createdAt = '', id = ''] = CURSOR.exec(token) ?? [];
  return { createdAt: new Date(createdAt), id };
}

function requestViolations(request: ApiKeyRequest, now: Date): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!API_KEY_NAME.test(request.name)) {
    violations.push({ field: 'name', description: `must match ${API_KEY_NAME.source} (lowercase letters, digits, _ and -; 1 to 63 characters), got "${request.name}"` });
  }
  if (request.allowedModels.length > MAX_ALLOWED_MODELS) violations.push({ field: 'allowed_models', description: `at most ${MAX_ALLOWED_MODELS} models` });
  request.allowedModels.forEach((model, index) => {
    if (model.trim() === '') violations.push({ field: `allowed_models[${index}]`, description: 'must not be empty' });
  });
  if (!Number.isInteger(request.rateLimitPerSecond) || request.rateLimitPerSecond < 0 || request.rateLimitPerSecond > MAX_RATE_LIMIT) {
    violations.push({ field: 'rate_limit.requests_per_second', description: `must be 0 (gateway default) to ${MAX_RATE_LIMIT}, got ${request.rateLimitPerSecond}` });
  }
  if (!Number.isInteger(request.burst) || request.burst < 0 || request.burst > MAX_RATE_LIMIT) {
    violations.push({ field: 'rate_limit.burst', description: `must be 0 (equal to the rate) to ${MAX_RATE_LIMIT}, got ${request.burst}` });
  }
  if (request.expiresAt !== undefined && !(request.expiresAt.getTime() > now.getTime())) {
    violations.push({ field: 'expires_at', description: `must be in the future, got ${Number.isNaN(request.expiresAt.getTime()) ? 'an invalid time' : request.expiresAt.toISOString()}` });
  }
  if (request.description.length > MAX_DESCRIPTION_LENGTH) violations.push({ field: 'description', description: `at most ${MAX_DESCRIPTION_LENGTH} characters` });
  return violations;
}

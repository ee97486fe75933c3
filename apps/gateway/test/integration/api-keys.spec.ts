import { Metadata, status } from '@grpc/grpc-js';
import type { gatewayV1 } from '@strata/contracts';
import { fromTimestamp, toTimestamp } from '@strata/service-runtime';
import { bearer, failureOf, GrpcTestClient, startTestService, type TestEngine, type TestService } from '@strata/testing';
import { createHash } from 'node:crypto';
import { generateSecret } from '../../src/api-keys/api-key-secret';
import { ApiKeyVerifier } from '../../src/api-keys/api-key.verifier';
import { gateway } from '../../src/bootstrap';
import { PrismaClient } from '../../src/generated/prisma/client';

// ApiKeyAdminService over a real gRPC socket and the request path's verifier, on PGlite and
// PostgreSQL. The cache TTL is an hour, so a revoked key refused here was evicted, not expired.

const ADMIN_TOKEN = 'admin-token-for-tests';
const CI_TOKEN = 'ci-token-for-tests';
const sha = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

describe.each<TestEngine>(['pglite', 'postgres'])('API keys on %s', (engine) => {
  let service: TestService;
  let client: GrpcTestClient;
  let prisma: PrismaClient;
  let verifier: ApiKeyVerifier;
  const admin = () => bearer(ADMIN_TOKEN);

  const create = (request: Partial<gatewayV1.CreateApiKeyRequest>, metadata = admin()) =>
    client.call<gatewayV1.CreateApiKeyResponse>('createApiKey', { name: 'checkout-web', allowedModels: [], description: '', ...request }, metadata);
  const revoke = (id: string, metadata = admin()) => client.call<gatewayV1.RevokeApiKeyResponse>('revokeApiKey', { id, reason: 'test' }, metadata);
  const list = (request: Partial<gatewayV1.ListApiKeysRequest> = {}, metadata = admin()) =>
    client.call<gatewayV1.ListApiKeysResponse>('listApiKeys', { includeInactive: false, ...request }, metadata);

  beforeAll(async () => {
    service = await startTestService(gateway, engine, {
      GATEWAY_ADMIN_TOKENS: `ops:admin:${sha(ADMIN_TOKEN)},ci-bot:ci:${sha(CI_TOKEN)}`,
      CACHE_TTL: '1h',
    });
    client = new GrpcTestClient('gatewayV1', 'ApiKeyAdminService', service.grpcAddress);
    prisma = service.running.app.get(PrismaClient);
    verifier = service.running.app.get(ApiKeyVerifier);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  it('returns the secret once, stores only its sha256, and never lists it', async () => {
    const response = await create({ name: 'secret-once', allowedModels: ['churn'], rateLimit: { requestsPerSecond: 20, burst: 40 }, description: 'web shop' });
    const key = response.apiKey!;

    expect(response.secret).toMatch(/^sk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ name: 'secret-once', allowedModels: ['churn'], rateLimit: { requestsPerSecond: 20, burst: 40 }, createdBy: 'ops', description: 'web shop' });
    expect(response.secret.startsWith(`${key.prefix}_`)).toBe(true);
    const rows = await prisma.$queryRaw<Record<string, unknown>[]>`SELECT * FROM "api_keys" WHERE "id" = ${key.id}::uuid`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!['hash']).toBe(sha(response.secret));
    expect(JSON.stringify(rows)).not.toContain(response.secret.slice(key.prefix.length));

    const listed = await list({ includeInactive: true });
    expect(listed.apiKeys.map((apiKey) => apiKey.id)).toContain(key.id);
    expect(JSON.stringify(listed)).not.toContain(response.secret.slice(key.prefix.length));
    expect(JSON.stringify(listed)).not.toContain(sha(response.secret));
  });

  it('answers ALREADY_EXISTS for a second active key with the same name', async () => {
    await create({ name: 'duplicate' });

    const failure = await failureOf(create({ name: 'duplicate' }));

    expect(failure.code).toBe(status.ALREADY_EXISTS);
    expect(failure.details).toContain('"duplicate"');
  });

  it('answers INVALID_ARGUMENT naming each bad field', async () => {
    const badName = await failureOf(create({ name: 'Bad Name' }));
    const past = await failureOf(create({ name: 'expired-already', expiresAt: toTimestamp(new Date(Date.UTC(2020, 0, 1))) }));
    const rate = await failureOf(create({ name: 'too-fast', rateLimit: { requestsPerSecond: 2_000_000, burst: 0 } }));

    expect([badName.code, past.code, rate.code]).toEqual([status.INVALID_ARGUMENT, status.INVALID_ARGUMENT, status.INVALID_ARGUMENT]);
    expect(badName.fieldViolations.map((violation) => violation.field)).toEqual(['name']);
    expect(past.fieldViolations.map((violation) => violation.field)).toEqual(['expires_at']);
    expect(rate.fieldViolations.map((violation) => violation.field)).toEqual(['rate_limit.requests_per_second']);
  });

  it('revokes idempotently and answers NOT_FOUND for an unknown key', async () => {
    const { apiKey } = await create({ name: 'to-revoke' });

    const first = (await revoke(apiKey!.id)).apiKey!;
    const again = (await revoke(apiKey!.id)).apiKey!;
    const unknown = await failureOf(revoke('0192f000-0000-7000-8000-000000000000'));
    const garbled = await failureOf(revoke('not-a-uuid'));

    expect(fromTimestamp(first.revokedAt)).toBeInstanceOf(Date);
    expect(again.revokedAt).toEqual(first.revokedAt);
    expect([unknown.code, garbled.code]).toEqual([status.NOT_FOUND, status.NOT_FOUND]);
    expect((await list()).apiKeys.map((key) => key.id)).not.toContain(apiKey!.id);
    expect((await list({ includeInactive: true })).apiKeys.map((key) => key.id)).toContain(apiKey!.id);
    await expect(create({ name: 'to-revoke' })).resolves.toBeDefined();
  });

  it('lists newest first, one page at a time, the pages adding up to the whole list', async () => {
    for (const name of ['page-1', 'page-2', 'page-3']) await create({ name });

    const all = (await list({ page: { pageSize: 1000, pageToken: '' } })).apiKeys;
    const paged: gatewayV1.ApiKey[] = [];
    let pageToken = '';
    do {
      const page = await list({ page: { pageSize: 2, pageToken } });
      paged.push(...page.apiKeys);
      pageToken = page.page!.nextPageToken;
    } while (pageToken !== '');

    expect(paged.map((key) => key.id)).toEqual(all.map((key) => key.id));
    const created = all.map((key) => fromTimestamp(key.createdAt)!.getTime());
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(all.map((key) => key.name)).toEqual(expect.arrayContaining(['page-1', 'page-2', 'page-3']));
  });

  it('answers UNAUTHENTICATED without a valid admin token and PERMISSION_DENIED for another role', async () => {
    const calls = [(metadata: Metadata) => create({ name: 'not-allowed' }, metadata), (metadata: Metadata) => list({}, metadata), (metadata: Metadata) => revoke('x', metadata)];

    for (const call of calls) {
      expect((await failureOf(call(new Metadata()))).code).toBe(status.UNAUTHENTICATED);
      expect((await failureOf(call(bearer('not-a-known-token')))).code).toBe(status.UNAUTHENTICATED);
      const denied = await failureOf(call(bearer(CI_TOKEN)));
      expect(denied.code).toBe(status.PERMISSION_DENIED);
      expect(denied.details).toContain('needs admin');
    }
    expect(await prisma.apiKey.count({ where: { name: 'not-allowed' } })).toBe(0);
  });

  it('verifies a valid key into its identity, models and rate limit', async () => {
    const { apiKey, secret } = await create({ name: 'verified', allowedModels: ['churn', 'flight-delay'], rateLimit: { requestsPerSecond: 10, burst: 0 } });
    const defaults = await create({ name: 'verified-defaults' });

    expect(await verifier.verify(secret)).toEqual({ id: apiKey!.id, name: 'verified', allowedModels: ['churn', 'flight-delay'], rateLimit: { perSecond: 10, burst: 10 } });
    expect((await verifier.verify(defaults.secret)).rateLimit).toEqual({ perSecond: 100, burst: 100 });
  });

  it('refuses a key revoked on this replica at once', async () => {
    const { apiKey, secret } = await create({ name: 'revoked-at-once' });
    await verifier.verify(secret);

    await revoke(apiKey!.id);

    await expect(verifier.verify(secret)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('refuses an expired key', async () => {
    const { secret, prefix, hash } = generateSecret();
    await prisma.apiKey.create({ data: { prefix, hash, name: 'expired', expiresAt: new Date(Date.UTC(2021, 0, 1)) } });

    await expect(verifier.verify(secret)).rejects.toThrow('invalid API key: expired');
    // Its name is free again: creating a key of that name retires the expired one.
    await expect(create({ name: 'expired' })).resolves.toBeDefined();
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { prefix } })).revokedAt).toEqual(new Date(Date.UTC(2021, 0, 1)));
  });

  it('refuses unknown and garbled keys with a message that does not echo them', async () => {
    const unknown = generateSecret().secret;
    const { secret } = await create({ name: 'almost' });
    const tampered = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;

    for (const presented of [unknown, tampered, 'garbled', '']) {
      const error = await verifier.verify(presented).then(
        () => undefined,
        (failure: Error & { code?: number }) => failure,
      );
      expect(error?.code).toBe(status.UNAUTHENTICATED);
      if (presented !== '') expect(error?.message).not.toContain(presented);
    }
  });
});

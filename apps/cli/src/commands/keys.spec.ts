import { status } from '@grpc/grpc-js';
import type { gatewayV1 } from '@strata/contracts';
import { Command } from 'commander';
import { fakeCli, fakeRegistry, grpcError } from '../../test/support/fake-cli';
import type { ConnectionOptions } from '../grpc-channel';
import { UsageError } from '../errors';
import { createApiKeyRequest, DEFAULT_GATEWAY, type GatewayAdminApi, registerKeyCommands } from './keys';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const SECRET = `sk_0a1b2c3d_${'Q'.repeat(43)}`;

function anApiKey(overrides: Partial<gatewayV1.ApiKey> = {}): gatewayV1.ApiKey {
  return {
    id: '0192f000-0000-7000-8000-000000000001',
    name: 'checkout-web',
    prefix: 'sk_0a1b2c3d',
    allowedModels: [],
    rateLimit: { requestsPerSecond: 0, burst: 0 },
    createdBy: 'ops',
    createdAt: { seconds: String(NOW / 1000 - 60), nanos: 0 },
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    description: '',
    ...overrides,
  };
}

/** Runs `strata <args>` with a fake gateway; returns what it printed and what it sent. */
async function run(args: string[], api: Partial<GatewayAdminApi> = {}, env: NodeJS.ProcessEnv = {}) {
  const cli = fakeCli(fakeRegistry(), { env });
  const connections: ConnectionOptions[] = [];
  const requests: unknown[] = [];
  const unimplemented = () => Promise.reject(grpcError(status.UNIMPLEMENTED, 'not faked'));
  const record =
    <Req, Res>(call: ((request: Req) => Promise<Res>) | undefined) =>
    (request: Req): Promise<Res> => {
      requests.push(request);
      return call === undefined ? (unimplemented() as Promise<Res>) : call(request);
    };
  const program = new Command('strata').option('--token <token>').option('--timeout <duration>').option('--json').exitOverride();
  registerKeyCommands(
    program,
    cli.deps,
    (options) => {
      connections.push(options);
      return { createApiKey: record(api.createApiKey), revokeApiKey: record(api.revokeApiKey), listApiKeys: record(api.listApiKeys), close: () => undefined };
    },
    () => NOW,
  );
  await program.parseAsync(args, { from: 'user' });
  return { stdout: cli.stdout.text, stderr: cli.stderr.text, connections, requests };
}

describe('strata keys', () => {
  describe(createApiKeyRequest.name, () => {
    it('leaves every limit to the gateway when no option is given', () => {
      expect(createApiKeyRequest('web', {})).toEqual({ name: 'web', allowedModels: [], rateLimit: undefined, expiresAt: undefined, description: '' });
    });

    it('reads models, rate, burst, expiry and description', () => {
      expect(createApiKeyRequest('web', { models: ['churn', 'delay'], rate: '20', burst: '50', expires: '2027-01-01T00:00:00Z', description: 'shop' })).toEqual({
        name: 'web',
        allowedModels: ['churn', 'delay'],
        rateLimit: { requestsPerSecond: 20, burst: 50 },
        expiresAt: { seconds: String(Date.UTC(2027, 0, 1) / 1000), nanos: 0 },
        description: 'shop',
      });
      expect(createApiKeyRequest('web', { burst: '5' }).rateLimit).toEqual({ requestsPerSecond: 0, burst: 5 });
    });

    it('refuses bad numbers and times, naming the option', () => {
      expect(() => createApiKeyRequest('web', { rate: 'fast' })).toThrow(/--rate: expected a whole number/);
      expect(() => createApiKeyRequest('web', { rate: '0' })).toThrow(/--rate: must be between 1 and 1000000/);
      expect(() => createApiKeyRequest('web', { burst: '-1' })).toThrow(UsageError);
      expect(() => createApiKeyRequest('web', { expires: 'tomorrow' })).toThrow(/--expires: expected an ISO time/);
    });
  });

  it('creates a key, prints the secret once on stdout and the warning on stderr', async () => {
    const result = await run(['keys', 'create', 'checkout-web', '--models', 'churn,delay', '--rate', '20'], {
      createApiKey: () => Promise.resolve({ apiKey: anApiKey({ allowedModels: ['churn', 'delay'], rateLimit: { requestsPerSecond: 20, burst: 0 } }), secret: SECRET }),
    });

    expect(result.requests).toEqual([{ name: 'checkout-web', allowedModels: ['churn', 'delay'], rateLimit: { requestsPerSecond: 20, burst: 0 }, expiresAt: undefined, description: '' }]);
    expect(result.stdout.split(SECRET)).toHaveLength(2);
    expect(result.stdout).toContain(`secret: ${SECRET}\n`);
    expect(result.stdout).toMatch(/^models: +churn, delay$/m);
    expect(result.stderr).toMatch(/shown only once/);
  });

  it('prints one JSON object with --json and no warning', async () => {
    const result = await run(['keys', 'create', 'checkout-web', '--json'], { createApiKey: () => Promise.resolve({ apiKey: anApiKey(), secret: SECRET }) });

    expect(JSON.parse(result.stdout)).toMatchObject({ secret: SECRET, apiKey: { name: 'checkout-web' } });
    expect(result.stderr).toBe('');
  });

  it('takes the gateway from --gateway, else STRATA_GATEWAY, else the default, and the token from --token, else STRATA_ADMIN_TOKEN', async () => {
    const list = () => Promise.resolve({ apiKeys: [], page: { nextPageToken: '' } });
    const env = { STRATA_GATEWAY: 'gw:1', STRATA_ADMIN_TOKEN: 'from-env', STRATA_TOKEN: 'registry-token' };

    const [defaults, fromEnv, fromFlags] = await Promise.all([
      run(['keys', 'list'], { listApiKeys: list }, { STRATA_TOKEN: 'registry-token' }),
      run(['keys', 'list'], { listApiKeys: list }, env),
      run(['keys', 'list', '--gateway', 'gw:2', '--token', 'from-flag', '--timeout', '5s'], { listApiKeys: list }, env),
    ]);

    expect(defaults.connections).toEqual([{ address: DEFAULT_GATEWAY, token: undefined, timeoutMs: 30_000 }]);
    expect(fromEnv.connections).toEqual([{ address: 'gw:1', token: 'from-env', timeoutMs: 30_000 }]);
    expect(fromFlags.connections).toEqual([{ address: 'gw:2', token: 'from-flag', timeoutMs: 5_000 }]);
  });

  it('lists every page, active keys unless --all, as a table without secrets', async () => {
    const pages: gatewayV1.ListApiKeysResponse[] = [
      { apiKeys: [anApiKey({ name: 'newer', allowedModels: ['churn'] })], page: { nextPageToken: 'next' } },
      { apiKeys: [anApiKey({ name: 'older', revokedAt: { seconds: String(NOW / 1000 - 1), nanos: 0 } })], page: { nextPageToken: '' } },
    ];

    const result = await run(['keys', 'list', '--all'], { listApiKeys: () => Promise.resolve(pages.shift()!) });

    expect(result.requests).toEqual([
      { includeInactive: true, page: { pageSize: 200, pageToken: '' } },
      { includeInactive: true, page: { pageSize: 200, pageToken: 'next' } },
    ]);
    const [header, newer, older] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+PREFIX\s+STATE\s+MODELS/);
    expect(newer).toMatch(/newer\s+sk_0a1b2c3d\s+active\s+churn\s+default/);
    expect(older).toMatch(/older\s+sk_0a1b2c3d\s+revoked\s+all/);
  });

  it('revokes by ID with the reason', async () => {
    const revokedAt = { seconds: String(NOW / 1000), nanos: 0 };
    const result = await run(['keys', 'revoke', 'key-1', '--reason', 'leaked'], { revokeApiKey: () => Promise.resolve({ apiKey: anApiKey({ revokedAt }) }) });

    expect(result.requests).toEqual([{ id: 'key-1', reason: 'leaked' }]);
    expect(result.stdout).toMatch(/^revoked\n/);
    expect(result.stdout).toMatch(/^state: +revoked$/m);
  });

  it('passes a gateway failure through to the exit code mapping', async () => {
    await expect(run(['keys', 'revoke', 'nope'], { revokeApiKey: () => Promise.reject(grpcError(status.NOT_FOUND, 'API key "nope" not found')) })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });
});

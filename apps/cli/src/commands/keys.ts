// `strata keys`: the gateway's API keys (strata.gateway.v1.ApiKeyAdminService), created,
// listed and revoked with an admin token. The secret of a new key is printed once.
import { loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { type gatewayV1, PROTO_LOADER_OPTIONS, STRATA_PROTOS } from '@strata/contracts';
import type { Command } from 'commander';
import { collectList, parseInteger } from '../args';
import { type CliDeps, DEFAULT_TIMEOUT_MS, parseDurationMs } from '../context';
import { CliFailure, isServiceError } from '../errors';
import { ExitCode } from '../exit-codes';
import { type ConnectionOptions, type GenericClientConstructor, openChannel, rpcName } from '../grpc-channel';
import { formatIso } from '../output/feature-views';
import { renderJson } from '../output/json';
import { renderFields, renderTable } from '../output/table';
import { parseInstant } from './feature-args';

/** The gateway's default gRPC address (its DEFAULT_PORTS). */
export const DEFAULT_GATEWAY = '127.0.0.1:50050';
/** Largest rate or burst the gateway accepts for a key. */
const MAX_RATE = 1_000_000;
const PAGE_SIZE = 200;

type Unary<Req, Res> = (request: Req) => Promise<Res>;

/** ApiKeyAdminService as promises. */
export interface GatewayAdminApi {
  createApiKey: Unary<gatewayV1.CreateApiKeyRequest, gatewayV1.CreateApiKeyResponse>;
  revokeApiKey: Unary<gatewayV1.RevokeApiKeyRequest, gatewayV1.RevokeApiKeyResponse>;
  listApiKeys: Unary<gatewayV1.ListApiKeysRequest, gatewayV1.ListApiKeysResponse>;
  close(): void;
}

/** Opens ApiKeyAdminService at `options.address`. */
export type ConnectGateway = (options: ConnectionOptions) => GatewayAdminApi;

/** Where the gateway is and how to call it, plus --json. */
export interface GatewayOptions extends ConnectionOptions {
  readonly json: boolean;
}

interface CreateOptions {
  models?: string[];
  rate?: string;
  burst?: string;
  expires?: string;
  description?: string;
}

/** `keys create` arguments -> CreateApiKeyRequest. Bad values are usage errors naming the option. */
export function createApiKeyRequest(name: string, options: CreateOptions): gatewayV1.CreateApiKeyRequest {
  const rate = options.rate === undefined ? 0 : parseInteger(options.rate, '--rate', 1, MAX_RATE);
  const burst = options.burst === undefined ? 0 : parseInteger(options.burst, '--burst', 1, MAX_RATE);
  return {
    name,
    allowedModels: options.models ?? [],
    rateLimit: rate === 0 && burst === 0 ? undefined : { requestsPerSecond: rate, burst },
    expiresAt: options.expires === undefined ? undefined : parseInstant(options.expires, '--expires'),
    description: options.description ?? '',
  };
}

/**
 * The gateway connection of a `keys` command: `--gateway`, else STRATA_GATEWAY, else the
 * default; the admin token from `--token`, else STRATA_ADMIN_TOKEN (not STRATA_TOKEN, which
 * holds a registry token).
 */
export function gatewayOptionsOf(command: Command, env: NodeJS.ProcessEnv): GatewayOptions {
  const raw = command.optsWithGlobals<{ gateway?: string; token?: string; timeout?: string; json?: boolean }>();
  const token = raw.token ?? env['STRATA_ADMIN_TOKEN'];
  return {
    address: raw.gateway ?? (env['STRATA_GATEWAY'] || DEFAULT_GATEWAY),
    token: token === '' ? undefined : token,
    timeoutMs: raw.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDurationMs(raw.timeout, '--timeout'),
    json: raw.json === true,
  };
}

let serviceConstructor: GenericClientConstructor | undefined;

function adminServiceConstructor(): GenericClientConstructor {
  if (serviceConstructor === undefined) {
    const definition = loadSync(STRATA_PROTOS.gatewayV1.protoPath, PROTO_LOADER_OPTIONS);
    const loaded = loadPackageDefinition(definition) as unknown as { strata: { gateway: { v1: { ApiKeyAdminService: GenericClientConstructor } } } };
    serviceConstructor = loaded.strata.gateway.v1.ApiKeyAdminService;
  }
  return serviceConstructor;
}

/** Opens a channel to the gateway's ApiKeyAdminService. */
export function connectGateway(options: ConnectionOptions): GatewayAdminApi {
  const { client, metadata, deadline } = openChannel(adminServiceConstructor(), options);
  const unary =
    <Req, Res>(method: string): Unary<Req, Res> =>
    (request) =>
      new Promise<Res>((resolve, reject) => {
        const call = client[rpcName(method)];
        if (typeof call !== 'function') {
          reject(new Error(`ApiKeyAdminService has no RPC ${rpcName(method)}`));
          return;
        }
        call.call(client, request, metadata(), deadline(), (error: ServiceError | null, response?: Res) => (error === null ? resolve(response as Res) : reject(named(error, options.address))));
      });
  return {
    createApiKey: unary('createApiKey'),
    revokeApiKey: unary('revokeApiKey'),
    listApiKeys: unary('listApiKeys'),
    close: () => client.close(),
  };
}

/** Names the gateway in a connection failure. */
function named(error: unknown, address: string): unknown {
  if (isServiceError(error) && error.code === status.UNAVAILABLE && !error.details.startsWith('gateway')) error.details = `gateway at ${address}: ${error.details}`;
  return error;
}

/** The key of a Create/Revoke answer, or a failure saying the gateway's answer lacked it. */
function keyOf(response: { apiKey?: gatewayV1.ApiKey | null }): gatewayV1.ApiKey {
  if (response.apiKey == null) throw new CliFailure("the gateway's answer has no api_key", ExitCode.Failure);
  return response.apiKey;
}

/** Reads every page of ListApiKeys. */
export async function listAllApiKeys(list: GatewayAdminApi['listApiKeys'], includeInactive: boolean): Promise<gatewayV1.ApiKey[]> {
  const keys: gatewayV1.ApiKey[] = [];
  let pageToken = '';
  do {
    const response = await list({ includeInactive, page: { pageSize: PAGE_SIZE, pageToken } });
    keys.push(...response.apiKeys);
    pageToken = response.page?.nextPageToken ?? '';
  } while (pageToken !== '');
  return keys;
}

/** `active`, `revoked` or `expired` at `nowMs`. */
export function keyState(key: gatewayV1.ApiKey, nowMs: number): string {
  if (key.revokedAt != null) return 'revoked';
  if (key.expiresAt != null && Number(key.expiresAt.seconds) * 1000 + key.expiresAt.nanos / 1e6 <= nowMs) return 'expired';
  return 'active';
}

function formatRate(limit: gatewayV1.RateLimit | null | undefined): string {
  const rate = limit?.requestsPerSecond ?? 0;
  const burst = limit?.burst ?? 0;
  return `${rate === 0 ? 'default' : `${rate}/s`}${burst === 0 ? '' : ` burst ${burst}`}`;
}

/** One key as `key: value` lines. */
export function renderApiKey(key: gatewayV1.ApiKey, nowMs: number): string {
  return renderFields([
    ['id', key.id],
    ['name', key.name],
    ['prefix', key.prefix],
    ['state', keyState(key, nowMs)],
    ['models', key.allowedModels.length === 0 ? 'all' : key.allowedModels.join(', ')],
    ['rate limit', formatRate(key.rateLimit)],
    ['description', key.description],
    ['created', `${formatIso(key.createdAt)}${key.createdBy === '' ? '' : ` by ${key.createdBy}`}`],
    ['expires', formatIso(key.expiresAt) || 'never'],
    ['revoked', formatIso(key.revokedAt)],
    ['last used', formatIso(key.lastUsedAt) || 'never'],
  ]);
}

/** Keys as a table, newest first as the gateway lists them. */
export function renderApiKeyTable(keys: readonly gatewayV1.ApiKey[], nowMs: number): string {
  return renderTable(
    ['ID', 'NAME', 'PREFIX', 'STATE', 'MODELS', 'RATE', 'EXPIRES', 'LAST USED'],
    keys.map((key) => [
      key.id,
      key.name,
      key.prefix,
      keyState(key, nowMs),
      key.allowedModels.length === 0 ? 'all' : key.allowedModels.join(','),
      formatRate(key.rateLimit),
      formatIso(key.expiresAt) || 'never',
      formatIso(key.lastUsedAt) || 'never',
    ]),
    '(no API keys)',
  );
}

async function withGateway(deps: CliDeps, connect: ConnectGateway, command: Command, action: (api: GatewayAdminApi, options: GatewayOptions) => Promise<void>): Promise<void> {
  const options = gatewayOptionsOf(command, deps.io.env);
  const api = connect({ address: options.address, token: options.token, timeoutMs: options.timeoutMs });
  try {
    await action(api, options);
  } finally {
    api.close();
  }
}

/** Registers `strata keys create|list|revoke`. `connect` is the real gRPC client unless a test passes a fake. */
export function registerKeyCommands(program: Command, deps: CliDeps, connect: ConnectGateway = connectGateway, now: () => number = Date.now): void {
  const keys = program
    .command('keys')
    .description("the gateway's API keys: create (secret shown once), list, revoke; needs an admin token")
    .option('--gateway <host:port>', `gateway gRPC address (env STRATA_GATEWAY, default ${DEFAULT_GATEWAY})`)
    .addHelpText('after', '\nThe admin token comes from --token or STRATA_ADMIN_TOKEN (prefer the variable); it is never printed.');
  const print = (options: GatewayOptions, json: unknown, human: () => string): void => deps.io.stdout.write(options.json ? renderJson(json) : human());

  keys
    .command('create')
    .description('create an API key and print its secret, once')
    .argument('<name>', 'unique key name, ^[a-z0-9][a-z0-9_-]{0,62}$')
    .option('--models <a,b>', 'models the key may call (repeatable, comma-separated; default all)', collectList)
    .option('--rate <n>', 'sustained requests per second (default: the gateway default)')
    .option('--burst <n>', 'bucket capacity in requests (default: equal to the rate)')
    .option('--expires <time>', 'expiry, an ISO time such as 2027-01-01T00:00:00Z (default never)')
    .option('--description <text>', 'what the key is for')
    .action((name: string, options: CreateOptions, command: Command) =>
      withGateway(deps, connect, command, async (api, gateway) => {
        const request = createApiKeyRequest(name, options);
        const response = await api.createApiKey(request);
        const key = keyOf(response);
        print(gateway, response, () => `${renderApiKey(key, now())}\nsecret: ${response.secret}\n`);
        if (!gateway.json) deps.io.stderr.write('Store this secret now: it is shown only once and cannot be recovered (revoke the key and create another if it is lost).\n');
      }),
    );

  keys
    .command('list')
    .description('list API keys, newest first (never their secrets)')
    .option('--all', 'include revoked and expired keys')
    .action((options: { all?: boolean }, command: Command) =>
      withGateway(deps, connect, command, async (api, gateway) => {
        const apiKeys = await listAllApiKeys(api.listApiKeys, options.all === true);
        print(gateway, { apiKeys }, () => renderApiKeyTable(apiKeys, now()));
      }),
    );

  keys
    .command('revoke')
    .description('revoke an API key (idempotent); every gateway replica refuses it within its cache TTL')
    .argument('<id>', 'key ID, as `strata keys list` shows it')
    .option('--reason <text>', 'why (logged by the gateway)')
    .action((id: string, options: { reason?: string }, command: Command) =>
      withGateway(deps, connect, command, async (api, gateway) => {
        const response = await api.revokeApiKey({ id, reason: options.reason ?? '' });
        print(gateway, response, () => `revoked\n${renderApiKey(keyOf(response), now())}`);
      }),
    );
}

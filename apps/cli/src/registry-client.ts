import { type ClientReadableStream, type ClientWritableStream, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, type registryV1, STRATA_PROTOS } from '@strata/contracts';
import { once } from 'node:events';
import { type ConnectionOptions, type GenericClientConstructor, openChannel, rpcName } from './grpc-channel';

export type { ConnectionOptions } from './grpc-channel';

/** Items asked per page when a command reads a whole list (versions carry signatures and evidence). */
export const PAGE_SIZE = 200;


type Unary<Req, Res> = (request: Req) => Promise<Res>;

/** The registry's RPCs as promises and async iterables (the `strata` commands' only port). */
export interface RegistryApi {
  createModel: Unary<registryV1.CreateModelRequest, registryV1.CreateModelResponse>;
  getModel: Unary<registryV1.GetModelRequest, registryV1.GetModelResponse>;
  listModels: Unary<registryV1.ListModelsRequest, registryV1.ListModelsResponse>;
  getVersion: Unary<registryV1.GetVersionRequest, registryV1.GetVersionResponse>;
  listVersions: Unary<registryV1.ListVersionsRequest, registryV1.ListVersionsResponse>;
  addEvidence: Unary<registryV1.AddEvidenceRequest, registryV1.AddEvidenceResponse>;
  setVersionStatus: Unary<registryV1.SetVersionStatusRequest, registryV1.SetVersionStatusResponse>;
  approveVersion: Unary<registryV1.ApproveVersionRequest, registryV1.ApproveVersionResponse>;
  setAlias: Unary<registryV1.SetAliasRequest, registryV1.SetAliasResponse>;
  rollbackAlias: Unary<registryV1.RollbackAliasRequest, registryV1.RollbackAliasResponse>;
  getAlias: Unary<registryV1.GetAliasRequest, registryV1.GetAliasResponse>;
  listAliases: Unary<registryV1.ListAliasesRequest, registryV1.ListAliasesResponse>;
  setGatePolicy: Unary<registryV1.SetGatePolicyRequest, registryV1.SetGatePolicyResponse>;
  getGatePolicy: Unary<registryV1.GetGatePolicyRequest, registryV1.GetGatePolicyResponse>;
  setTrafficPolicy: Unary<registryV1.SetTrafficPolicyRequest, registryV1.SetTrafficPolicyResponse>;
  getTrafficPolicy: Unary<registryV1.GetTrafficPolicyRequest, registryV1.GetTrafficPolicyResponse>;
  getAuditLog: Unary<registryV1.GetAuditLogRequest, registryV1.GetAuditLogResponse>;
  /** Client stream: the header, then every chunk of `chunks` in order. */
  registerVersion(header: registryV1.RegisterVersionHeader, chunks: AsyncIterable<Buffer>): Promise<registryV1.RegisterVersionResponse>;
  /** Server stream: the header message, then the chunks. */
  downloadArtifact(request: registryV1.DownloadArtifactRequest): AsyncIterable<registryV1.DownloadArtifactResponse>;
  /** Long-lived server stream without a deadline; aborting `signal` cancels it (CANCELLED). */
  watchReleases(request: registryV1.WatchReleasesRequest, signal?: AbortSignal): AsyncIterable<registryV1.WatchReleasesResponse>;
  /** Closes the channel. */
  close(): void;
}

type UnaryMethodName = Exclude<keyof RegistryApi, 'registerVersion' | 'downloadArtifact' | 'watchReleases' | 'close'>;

type Callback = (error: ServiceError | null, response?: unknown) => void;

let serviceConstructor: GenericClientConstructor | undefined;

function registryServiceConstructor(): NonNullable<typeof serviceConstructor> {
  if (serviceConstructor === undefined) {
    const definition = loadSync(STRATA_PROTOS.registryV1.protoPath, PROTO_LOADER_OPTIONS);
    const loaded = loadPackageDefinition(definition) as unknown as { strata: { registry: { v1: { RegistryService: NonNullable<typeof serviceConstructor> } } } };
    serviceConstructor = loaded.strata.registry.v1.RegistryService;
  }
  return serviceConstructor;
}

const UNARY_METHODS: readonly UnaryMethodName[] = [
  'createModel',
  'getModel',
  'listModels',
  'getVersion',
  'listVersions',
  'addEvidence',
  'setVersionStatus',
  'approveVersion',
  'setAlias',
  'rollbackAlias',
  'getAlias',
  'listAliases',
  'setGatePolicy',
  'getGatePolicy',
  'setTrafficPolicy',
  'getTrafficPolicy',
  'getAuditLog',
];

/** Opens a channel to registry-service and returns its typed promise API. */
export function connectRegistry(options: ConnectionOptions): RegistryApi {
  const { client, metadata, deadline } = openChannel(registryServiceConstructor(), options);
  const rpc = (name: string): ((...args: unknown[]) => unknown) => {
    const method = client[name];
    if (typeof method !== 'function') throw new Error(`RegistryService has no RPC ${name}`);
    return method.bind(client);
  };

  const unary = (method: string) => (request: unknown) =>
    new Promise((resolve, reject) => {
      const callback: Callback = (error, response) => (error === null ? resolve(response) : reject(error));
      rpc(rpcName(method))(request, metadata(), deadline(), callback);
    });

  const api: Partial<Record<keyof RegistryApi, unknown>> = {};
  for (const method of UNARY_METHODS) api[method] = unary(method);

  return {
    ...(api as Pick<RegistryApi, UnaryMethodName>),

    async registerVersion(header, chunks) {
      let settled = false;
      let settle: Callback = () => undefined;
      const response = new Promise<registryV1.RegisterVersionResponse>((resolve, reject) => {
        settle = (error, result) => {
          settled = true;
          if (error === null) resolve(result as registryV1.RegisterVersionResponse);
          else reject(error);
        };
      });
      const stream = rpc('RegisterVersion')(metadata(), deadline(), settle) as ClientWritableStream<registryV1.RegisterVersionRequest>;
      // Stop sending as soon as the registry has answered (e.g. NOT_FOUND right after the header).
      const answered = response.then(
        () => undefined,
        () => undefined,
      );
      try {
        stream.write({ header });
        for await (const chunk of chunks) {
          if (settled) break;
          if (!stream.write({ chunk })) await Promise.race([once(stream, 'drain'), answered]);
        }
      } catch (error) {
        // Reading the file failed: abandon the upload (the registry stores nothing partial).
        stream.cancel();
        throw error;
      }
      stream.end();
      return response;
    },

    downloadArtifact(request) {
      return rpc('DownloadArtifact')(request, metadata(), deadline()) as ClientReadableStream<registryV1.DownloadArtifactResponse>;
    },

    watchReleases(request, signal) {
      const call = rpc('WatchReleases')(request, metadata()) as ClientReadableStream<registryV1.WatchReleasesResponse>;
      if (signal !== undefined) {
        if (signal.aborted) call.cancel();
        else signal.addEventListener('abort', () => call.cancel(), { once: true });
      }
      return call;
    },

    close() {
      client.close();
    },
  };
}

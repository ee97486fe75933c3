import { type Client, type ClientReadableStream, type ClientUnaryCall, Metadata, type ServiceError } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { registryV1 } from '@strata/contracts';
import { createStrataClient } from '@strata/service-runtime';
import { createHash } from 'node:crypto';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import { ArtifactError, type DownloadedArtifact, ModelRegistry, type VersionMetadata } from './model-registry';
import { DEFAULT_TRAFFIC_POLICY, type ModelReleaseState, type ReleaseMessage, type TrafficPolicy, type VersionLifecycle } from './release-state';

interface RegistryClient extends Client {
  WatchReleases(request: registryV1.WatchReleasesRequest, metadata: Metadata): ClientReadableStream<registryV1.WatchReleasesResponse>;
  DownloadArtifact(request: registryV1.DownloadArtifactRequest, metadata: Metadata): ClientReadableStream<registryV1.DownloadArtifactResponse>;
  GetVersion(
    request: registryV1.GetVersionRequest,
    metadata: Metadata,
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: registryV1.GetVersionResponse) => void,
  ): ClientUnaryCall;
}

// GetVersion is a small read (< 20 ms); the deadline only guards against a registry that hangs.
const GET_VERSION_DEADLINE_MS = 30_000;

/** {@link ModelRegistry} over strata.registry.v1 at REGISTRY_ADDRESS (read RPCs: no token needed). */
@Injectable()
export class GrpcModelRegistry extends ModelRegistry implements OnModuleDestroy {
  private client: RegistryClient | undefined;

  constructor(@Inject(INFERENCE_CONFIG) private readonly config: Pick<InferenceConfig, 'registryAddress'>) {
    super();
  }

  onModuleDestroy(): void {
    this.client?.close();
    this.client = undefined;
  }

  async *watchReleases(fromRevision: number, signal: AbortSignal): AsyncIterable<ReleaseMessage> {
    const call = this.connect().WatchReleases({ fromRevision: String(fromRevision), modelName: '' }, new Metadata());
    const cancel = (): void => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for await (const message of call as AsyncIterable<registryV1.WatchReleasesResponse>) yield releaseMessageOf(message);
    } finally {
      signal.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  async downloadArtifact(modelName: string, version: number, signal: AbortSignal): Promise<DownloadedArtifact> {
    const call = this.connect().DownloadArtifact({ model: { name: modelName, version, alias: '' }, offset: '0' } as registryV1.DownloadArtifactRequest, new Metadata());
    const cancel = (): void => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      let header: registryV1.DownloadArtifactHeader | undefined;
      const chunks: Buffer[] = [];
      const hash = createHash('sha256');
      for await (const message of call as AsyncIterable<registryV1.DownloadArtifactResponse>) {
        if (message.header != null) header = message.header;
        else if (message.chunk != null) {
          chunks.push(message.chunk);
          hash.update(message.chunk);
        }
      }
      if (header?.artifact == null) throw new ArtifactError('NO_HEADER', `the registry sent no header for ${modelName}:${version}`);
      const bytes = Buffer.concat(chunks);
      const sha256 = hash.digest('hex');
      if (bytes.byteLength !== Number(header.artifact.sizeBytes)) throw new ArtifactError('SIZE_MISMATCH', `${modelName}:${version}: received ${bytes.byteLength} bytes, the registry declared ${header.artifact.sizeBytes}`);
      if (sha256 !== header.artifact.sha256) throw new ArtifactError('DIGEST_MISMATCH', `${modelName}:${version}: received sha256 ${sha256}, the registry declared ${header.artifact.sha256}`);
      return { version: header.version, bytes: new Uint8Array(bytes), sha256 };
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  async getVersion(modelName: string, version: number, signal: AbortSignal): Promise<VersionMetadata> {
    const client = this.connect();
    signal.throwIfAborted();
    const response = await new Promise<registryV1.GetVersionResponse>((resolve, reject) => {
      const request = { model: { name: modelName, version } } as registryV1.GetVersionRequest;
      const call = client.GetVersion(request, new Metadata(), { deadline: Date.now() + GET_VERSION_DEADLINE_MS }, (error, answer) => {
        signal.removeEventListener('abort', cancel);
        if (error !== null) reject(error);
        else resolve(answer as registryV1.GetVersionResponse);
      });
      const cancel = (): void => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
    });
    const found = response.version;
    if (found == null) throw new Error(`the registry answered GetVersion ${modelName}:${version} without a version`);
    return versionMetadataOf(found);
  }

  private connect(): RegistryClient {
    const address = this.config.registryAddress;
    if (address === undefined || address === '') throw new Error('REGISTRY_ADDRESS is not set: inference cannot follow releases');
    this.client ??= createStrataClient<RegistryClient>('registryV1', 'RegistryService', address);
    return this.client;
  }
}

function versionMetadataOf(version: registryV1.ModelVersion): VersionMetadata {
  return {
    modelName: version.modelName,
    version: version.version,
    inputBindings: version.inputBindings.map((binding) => ({ input: binding.input, features: [...binding.features] })),
    featureContracts: (version.lineage?.featureContracts ?? []).map((contract) => ({
      name: contract.featureSet?.name ?? '',
      version: contract.featureSet?.version ?? 0,
      digest: contract.digest,
    })),
    tags: { ...version.tags },
    ...lifecycleOf(version.status),
  };
}

// The wire's VersionStatus as inference reads it; nothing when unset.
function lifecycleOf(status: registryV1.VersionStatus | undefined): { status?: VersionLifecycle } {
  switch (status as unknown as string) {
    case 'VERSION_STATUS_ACTIVE':
      return { status: 'active' };
    case 'VERSION_STATUS_DEPRECATED':
      return { status: 'deprecated' };
    case 'VERSION_STATUS_ARCHIVED':
      return { status: 'archived' };
    default:
      return {};
  }
}

function releaseMessageOf(message: registryV1.WatchReleasesResponse): ReleaseMessage {
  if (message.snapshot != null) {
    const models = new Map<string, ModelReleaseState>(
      message.snapshot.models.map((model) => [
        model.modelName,
        { aliases: new Map(model.aliases.map((alias) => [alias.alias, { version: alias.version, sha256: alias.artifactSha256 }])), trafficPolicy: policyOf(model.trafficPolicy) },
      ]),
    );
    return { kind: 'snapshot', revision: Number(message.snapshot.revision), reset: message.snapshot.reset, models };
  }
  if (message.event != null) {
    const event = message.event;
    const revision = Number(event.revision);
    switch (event.kind as unknown as string) {
      case 'RELEASE_EVENT_KIND_ALIAS_MOVED':
        return { kind: 'alias-moved', revision, modelName: event.modelName, alias: event.alias, target: { version: event.version, sha256: event.artifactSha256 } };
      case 'RELEASE_EVENT_KIND_TRAFFIC_POLICY_CHANGED':
        return { kind: 'traffic-policy', revision, modelName: event.modelName, policy: policyOf(event.trafficPolicy) };
      case 'RELEASE_EVENT_KIND_VERSION_STATUS_CHANGED': {
        const { status } = lifecycleOf(event.versionStatus);
        return status === undefined ? { kind: 'other', revision } : { kind: 'version-status', revision, modelName: event.modelName, version: event.version, status };
      }
      default:
        return { kind: 'other', revision };
    }
  }
  return { kind: 'heartbeat', revision: Number(message.heartbeat?.revision ?? 0) };
}

function policyOf(policy: registryV1.TrafficPolicy | null | undefined): TrafficPolicy {
  if (policy == null || policy.splits.length === 0) return DEFAULT_TRAFFIC_POLICY;
  return {
    splits: policy.splits.map((split) => ({ alias: split.alias, percent: split.percent })),
    ...(policy.shadowAlias === '' ? {} : { shadowAlias: policy.shadowAlias, shadowPercent: policy.shadowPercent }),
  };
}

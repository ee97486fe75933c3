import { type ReleaseMessage, type VersionLifecycle } from './release-state';

/** A downloaded artifact whose sha256 and size were checked against the registry's header. */
export interface DownloadedArtifact {
  readonly version: number;
  readonly bytes: Uint8Array;
  /** Bare lowercase hex, computed over the received bytes. */
  readonly sha256: string;
}

/** What inference needs of one registry version besides its artifact: feature bindings, lineage contracts and tags. */
export interface VersionMetadata {
  readonly modelName: string;
  readonly version: number;
  /** registry InputBinding: model input tensor name + feature names for its columns, in order ("<set>.<feature>" = stored, fetched online; plain = request-time, supplied by the caller) */
  readonly inputBindings: readonly { readonly input: string; readonly features: readonly string[] }[];
  /** lineage.feature_contracts */
  readonly featureContracts: readonly { readonly name: string; readonly version: number; readonly digest: string }[];
  readonly tags: Readonly<Record<string, string>>;
  /** Its lifecycle status in the registry; undefined when not reported. ARCHIVED versions are not served. */
  readonly status?: VersionLifecycle;
}

/** The registry as inference sees it: the release stream and artifacts. gRPC in production, fakes in unit tests. */
export abstract class ModelRegistry {
  /** WatchReleases from `fromRevision` (0 = snapshot first); ends or throws when the stream breaks. */
  abstract watchReleases(fromRevision: number, signal: AbortSignal): AsyncIterable<ReleaseMessage>;
  /** DownloadArtifact of one version; throws ArtifactError on a digest or size mismatch. */
  abstract downloadArtifact(modelName: string, version: number, signal: AbortSignal): Promise<DownloadedArtifact>;
  /** GetVersion of one version: its input bindings, lineage feature contracts and tags. */
  abstract getVersion(modelName: string, version: number, signal: AbortSignal): Promise<VersionMetadata>;
}

/** An artifact that does not match what the registry declared. */
export class ArtifactError extends Error {
  constructor(
    readonly reason: 'DIGEST_MISMATCH' | 'SIZE_MISMATCH' | 'NO_HEADER',
    message: string,
  ) {
    super(message);
    this.name = 'ArtifactError';
  }
}

import { type ReleaseMessage } from './release-state';

/** A downloaded artifact whose sha256 and size were checked against the registry's header. */
export interface DownloadedArtifact {
  readonly version: number;
  readonly bytes: Uint8Array;
  /** Bare lowercase hex, computed over the received bytes. */
  readonly sha256: string;
}

/** The registry as inference sees it: the release stream and artifacts. gRPC in production, fakes in unit tests. */
export abstract class ModelRegistry {
  /** WatchReleases from `fromRevision` (0 = snapshot first); ends or throws when the stream breaks. */
  abstract watchReleases(fromRevision: number, signal: AbortSignal): AsyncIterable<ReleaseMessage>;
  /** DownloadArtifact of one version; throws ArtifactError on a digest or size mismatch. */
  abstract downloadArtifact(modelName: string, version: number, signal: AbortSignal): Promise<DownloadedArtifact>;
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

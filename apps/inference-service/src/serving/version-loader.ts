import { Inject, Injectable } from '@nestjs/common';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import { type BatchingOptions, loadModel, ModelLoadError } from '../model-runtime';
import { ModelRegistry } from '../releases/model-registry';
import { ModelCatalog } from './model-catalog';
import { estimateModelBytes, type PinnableVersion } from './version-pins';

type LoaderConfig = Pick<InferenceConfig, 'batchMaxSize' | 'batchMaxDelay' | 'sessionIntraOpThreads' | 'sessionInterOpThreads'>;

/**
 * Loads one model version for serving: downloads the artifact (size and sha256 checked against
 * the registry, and against the released sha256 when given), creates and warms the session
 * with the configured threads and batching, and records what the request path needs about it
 * in the catalog.
 */
@Injectable()
export class VersionLoader {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly catalog: ModelCatalog,
    @Inject(INFERENCE_CONFIG) private readonly config: LoaderConfig,
  ) {}

  /** @throws {@link ModelLoadError} (or the registry's error) when any step fails; nothing stays allocated. */
  async load(modelName: string, version: number, releasedSha256: string | undefined, signal: AbortSignal): Promise<PinnableVersion> {
    const artifact = await this.registry.downloadArtifact(modelName, version, signal);
    if (releasedSha256 !== undefined && artifact.sha256 !== releasedSha256) {
      throw new ModelLoadError('DIGEST_MISMATCH', modelName, version, `the artifact's sha256 ${artifact.sha256} is not the released ${releasedSha256}`);
    }
    const model = await loadModel({
      modelName,
      version,
      sha256: releasedSha256 ?? artifact.sha256,
      bytes: artifact.bytes,
      threads: { intraOp: this.config.sessionIntraOpThreads, interOp: this.config.sessionInterOpThreads },
      batching: this.batchingOf(),
    });
    const bytes = estimateModelBytes(artifact.bytes.byteLength);
    this.catalog.describe(model, { bytes });
    return { model, bytes };
  }

  private batchingOf(): BatchingOptions {
    return { maxBatchSize: this.config.batchMaxSize, maxQueueDelayMs: this.config.batchMaxDelay };
  }
}

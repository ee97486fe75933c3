import { Inject, Injectable } from '@nestjs/common';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import { type BatchingOptions, loadModel, ModelLoadError } from '../model-runtime';
import { buildFeaturePlan, FeaturePlanError, type FeatureSetContract, FeatureStore, FeatureStoreError } from '../features';
import { ModelRegistry, type VersionMetadata } from '../releases/model-registry';
import { archivedVersionError, ModelCatalog } from './model-catalog';
import { estimateModelBytes, type PinnableVersion } from './version-pins';

/** Version tag that makes every request of the version require PRESENT features (as strict_features). */
export const REQUIRES_FRESH_TAG = 'strata.requires_fresh_features';
const CONTRACT_FETCH_DEADLINE_MS = 10_000;

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
    private readonly features: FeatureStore,
    @Inject(INFERENCE_CONFIG) private readonly config: LoaderConfig,
  ) {}

  /** @throws {@link ModelLoadError} (or the registry's error) when any step fails; nothing stays allocated. */
  async load(modelName: string, version: number, releasedSha256: string | undefined, signal: AbortSignal): Promise<PinnableVersion> {
    const metadata = await this.registry.getVersion(modelName, version, signal);
    if (metadata.status === 'archived') {
      this.catalog.markArchived(modelName, version);
      throw archivedVersionError(modelName, version);
    }
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
      batching: this.batchingOf(metadata.tags),
    });
    try {
      const plan = buildFeaturePlan(metadata, model.signature, await this.contractsOf(metadata));
      const bytes = estimateModelBytes(artifact.bytes.byteLength);
      this.catalog.describe(model, { bytes, plan, requiresFreshFeatures: metadata.tags[REQUIRES_FRESH_TAG] === 'true' });
      return { model, bytes };
    } catch (error) {
      model.retire();
      const reason = error instanceof FeaturePlanError || error instanceof FeatureStoreError ? 'FEATURE_CONTRACT' : 'INVALID_MODEL';
      throw new ModelLoadError(reason, modelName, version, `its input bindings cannot be served: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** The lineage's feature set contracts (with defaults), when the bindings name stored features. */
  private async contractsOf(metadata: VersionMetadata): Promise<Map<string, FeatureSetContract>> {
    const contracts = new Map<string, FeatureSetContract>();
    const stored = metadata.inputBindings.some((binding) => binding.features.some((feature) => feature.includes('.')));
    if (!stored) return contracts;
    for (const contract of metadata.featureContracts) {
      contracts.set(contract.name, await this.features.getFeatureSet({ name: contract.name, version: contract.version }, { deadlineMs: CONTRACT_FETCH_DEADLINE_MS }));
    }
    return contracts;
  }

  /** BATCH_MAX_SIZE / BATCH_MAX_DELAY, overridden by the version's `batch.max_size` / `batch.max_delay_ms` tags. */
  private batchingOf(tags: Readonly<Record<string, string>>): BatchingOptions {
    const tagged = (name: string): number | undefined => {
      const value = Number(tags[name]);
      return tags[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
    };
    return { maxBatchSize: Math.max(1, Math.floor(tagged('batch.max_size') ?? this.config.batchMaxSize)), maxQueueDelayMs: tagged('batch.max_delay_ms') ?? this.config.batchMaxDelay };
  }
}

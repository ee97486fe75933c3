import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import { loadModel, ModelLoadError } from '../model-runtime';
import { ModelRegistry } from '../releases/model-registry';
import { ReleaseFollower } from '../releases/release-follower';
import type { AliasTarget, ReleaseChange } from '../releases/release-state';
import { ModelCatalog } from './model-catalog';

/**
 * Serves what the registry releases: follows WatchReleases and, for each alias move,
 * downloads the artifact (sha256 checked against the registry), loads and warms a session
 * and only then swaps the alias to it. A failed load leaves the alias on its previous
 * version, is logged and recorded for GetModelStatus.
 */
@Injectable()
export class ReleaseLoader implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stop = new AbortController();
  private readonly follower: ReleaseFollower;
  private running: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly catalog: ModelCatalog,
    @Inject(INFERENCE_CONFIG) private readonly config: Pick<InferenceConfig, 'registryAddress' | 'batchMaxSize' | 'batchMaxDelay' | 'sessionIntraOpThreads' | 'sessionInterOpThreads'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.follower = new ReleaseFollower(registry, {
      changed: (changes) => this.apply(changes),
      disconnected: (error, revision, retryInMs) =>
        this.logger.warn(`release stream interrupted at revision ${revision} (${error instanceof Error ? error.message : String(error)}); reconnecting in ${retryInMs} ms`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.registryAddress === undefined || this.config.registryAddress === '') {
      this.logger.warn('REGISTRY_ADDRESS is not set: no models will be served (set it to follow the registry\'s releases)');
      return;
    }
    this.running = this.follower.run(this.stop.signal);
  }

  async onModuleDestroy(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  /** The last release revision applied. */
  revision(): number {
    return this.follower.state.revision;
  }

  /** Failed loads since start (a counter for status and metrics). */
  failedLoads(): number {
    return this.failures;
  }

  private async apply(changes: readonly ReleaseChange[]): Promise<void> {
    for (const change of changes) {
      switch (change.kind) {
        case 'alias-target':
          await this.load(change.modelName, change.alias, change.target);
          break;
        case 'alias-removed':
          this.catalog.find(change.modelName)?.unload(change.alias);
          this.logger.info(`unloaded ${change.modelName}@${change.alias}: the alias no longer exists`);
          break;
        case 'traffic-policy':
          this.catalog.setPolicy(change.modelName, change.policy);
          this.logger.info(`traffic policy of ${change.modelName}: ${change.policy.splits.map((split) => `${split.alias} ${split.percent}%`).join(', ')}`);
          break;
      }
    }
  }

  private async load(modelName: string, alias: string, target: AliasTarget): Promise<void> {
    const served = this.catalog.served(modelName);
    const started = Date.now();
    try {
      const artifact = await this.registry.downloadArtifact(modelName, target.version, this.stop.signal);
      if (artifact.sha256 !== target.sha256) throw new ModelLoadError('DIGEST_MISMATCH', modelName, target.version, `the artifact's sha256 ${artifact.sha256} is not the released ${target.sha256}`);
      const loaded = await loadModel({
        modelName,
        version: target.version,
        sha256: target.sha256,
        bytes: artifact.bytes,
        threads: { intraOp: this.config.sessionIntraOpThreads, interOp: this.config.sessionInterOpThreads },
        batching: { maxBatchSize: this.config.batchMaxSize, maxQueueDelayMs: this.config.batchMaxDelay },
      });
      served.swap(alias, loaded);
      this.logger.info(`serving ${modelName}@${alias} = version ${target.version} (loaded and warmed in ${Date.now() - started} ms)`);
    } catch (error) {
      if (this.stop.signal.aborted) return;
      this.failures += 1;
      served.recordFailure(alias, target.version, error);
      this.logger.error({ err: error }, `could not load ${modelName} version ${target.version} for ${alias}; still serving the previous version: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, type ServiceReadiness } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import { EventLoopStallProbe } from '../model-runtime';
import { ModelRegistry } from '../releases/model-registry';
import { ReleaseFollower } from '../releases/release-follower';
import type { AliasTarget, ReleaseChange } from '../releases/release-state';
import { ModelCatalog } from './model-catalog';
import { VersionLoader } from './version-loader';

/**
 * Resolution of the event-loop probe run during each model load: a stall reads at most this much
 * short. 1 ms costs ~1,000 timer callbacks a second, only while a load runs.
 */
export const LOAD_STALL_RESOLUTION_MS = 1;

/** The longest event-loop stall of each model load (see {@link ReleaseLoader.loadStalls}). */
export interface LoadStalls {
  /** Loads measured since start (loaded or failed; not those cut short by shutdown). */
  readonly count: number;
  /** The last load's longest stall, ms (0 before the first). */
  readonly lastMs: number;
  /** The longest stall of any load since start, ms. */
  readonly maxMs: number;
}

/**
 * Serves what the registry releases: follows WatchReleases and, for each alias move,
 * downloads the artifact (sha256 checked against the registry), loads and warms a session
 * and only then swaps the alias to it. A failed load leaves the alias on its previous
 * version, is logged and recorded for GetModelStatus.
 */
@Injectable()
export class ReleaseLoader implements OnApplicationBootstrap, OnModuleDestroy, ServiceReadiness {
  private readonly stop = new AbortController();
  private readonly readinessListeners: (() => void)[] = [];
  private synced = false;
  /** Alias loads in progress, by model: alias → version. */
  private readonly inProgress = new Map<string, Map<string, number>>();
  private readonly follower: ReleaseFollower;
  private running: Promise<void> | undefined;
  private failures = 0;
  private stalls: LoadStalls = { count: 0, lastMs: 0, maxMs: 0 };
  private readonly stallListeners: ((stallMs: number) => void)[] = [];

  constructor(
    private readonly registry: ModelRegistry,
    private readonly catalog: ModelCatalog,
    private readonly versions: VersionLoader,
    @Inject(INFERENCE_CONFIG) private readonly config: Pick<InferenceConfig, 'registryAddress'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.follower = new ReleaseFollower(registry, {
      changed: (changes) => this.apply(changes),
      disconnected: (error, revision, retryInMs) =>
        this.logger.warn(`release stream interrupted at revision ${revision} (${error instanceof Error ? error.message : String(error)}); reconnecting in ${retryInMs} ms`),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.follows()) {
      this.logger.warn('REGISTRY_ADDRESS is not set: no models will be served (set it to follow the registry\'s releases)');
      return;
    }
    this.running = this.follower.run(this.stop.signal);
  }

  async onModuleDestroy(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  /**
   * Ready when the registry's current releases are known and every model with a `production`
   * alias has a loaded, warm version for it (the previous one counts while a new one loads).
   * Without REGISTRY_ADDRESS nothing is configured, so the service is ready at once.
   */
  isReady(): boolean {
    if (!this.follows()) return true;
    if (!this.synced) return false;
    const state = this.follower.state;
    return state.modelNames().every((name) => state.model(name)?.aliases.has('production') !== true || this.catalog.find(name)?.isLoaded('production') === true);
  }

  onChange(listener: () => void): void {
    this.readinessListeners.push(listener);
  }

  /** The last release revision applied. */
  revision(): number {
    return this.follower.state.revision;
  }

  /** Versions being downloaded, verified or warmed right now for a model's aliases. */
  loading(modelName: string): { alias: string; version: number }[] {
    return [...(this.inProgress.get(modelName) ?? new Map<string, number>())].map(([alias, version]) => ({ alias, version }));
  }

  /** Failed loads since start (a counter for status and metrics). */
  failedLoads(): number {
    return this.failures;
  }

  /** How long model loads held the event loop up: count, last and longest (for metrics). */
  loadStalls(): LoadStalls {
    return this.stalls;
  }

  /** Called with each measured load's longest event-loop stall, in ms (metrics observe it). */
  onLoadStall(listener: (stallMs: number) => void): void {
    this.stallListeners.push(listener);
  }

  private follows(): boolean {
    return this.config.registryAddress !== undefined && this.config.registryAddress !== '';
  }

  private notifyReadiness(): void {
    for (const listener of this.readinessListeners) listener();
  }

  private async apply(changes: readonly ReleaseChange[]): Promise<void> {
    if (!this.synced) {
      this.synced = true;
      this.logger.info(`release stream synced at revision ${this.follower.state.revision}: ${this.follower.state.modelNames().length} model(s) released`);
    }
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
        case 'version-status':
          // An alias never points at an ARCHIVED version (the registry refuses it); a version pinned by number may.
          if (change.status === 'archived') {
            this.catalog.markArchived(change.modelName, change.version);
            this.logger.info(`${change.modelName} version ${change.version} archived: no longer served by number`);
          }
          break;
      }
      this.notifyReadiness();
    }
    this.notifyReadiness();
  }

  private async load(modelName: string, alias: string, target: AliasTarget): Promise<void> {
    const served = this.catalog.served(modelName);
    const started = Date.now();
    // Requests are served while a version loads: the log and /metrics say how long the load held them up.
    const stall = EventLoopStallProbe.start(LOAD_STALL_RESOLUTION_MS);
    const loading = this.inProgress.get(modelName) ?? new Map<string, number>();
    this.inProgress.set(modelName, loading.set(alias, target.version));
    try {
      const { model } = await this.versions.load(modelName, target.version, target.sha256, this.stop.signal);
      served.swap(alias, model);
      const stallMs = this.recordStall(stall.stop());
      this.logger.info(`serving ${modelName}@${alias} = version ${target.version} (loaded and warmed in ${Date.now() - started} ms; event loop stalled at most ${stallMs.toFixed(1)} ms meanwhile)`);
    } catch (error) {
      if (this.stop.signal.aborted) return;
      this.recordStall(stall.stop());
      this.failures += 1;
      served.recordFailure(alias, target.version, error);
      this.logger.error({ err: error }, `could not load ${modelName} version ${target.version} for ${alias}; still serving the previous version: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      stall.stop();
      loading.delete(alias);
    }
  }

  private recordStall(stallMs: number): number {
    this.stalls = { count: this.stalls.count + 1, lastMs: stallMs, maxMs: Math.max(this.stalls.maxMs, stallMs) };
    for (const listener of this.stallListeners) listener(stallMs);
    return stallMs;
  }
}

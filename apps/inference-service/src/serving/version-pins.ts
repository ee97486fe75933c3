import { UnavailableError } from '@strata/service-runtime';
import { type LoadedModel, type ModelLease } from '../model-runtime';
import { MODEL_NOT_READY_RETRY_MS } from './model-not-ready';

/** A loaded version and the memory it is charged for. */
export interface PinnableVersion {
  readonly model: LoadedModel;
  /** Estimated resident bytes of the session (see {@link estimateModelBytes}). */
  readonly bytes: number;
}

/** What {@link VersionPins} needs from its owner. */
export interface VersionPinsOptions {
  /** Total bytes for every loaded version: the aliases' versions plus the pinned ones. */
  readonly budgetBytes: number;
  /** Loads one version (download, verify, warm); rejects as the registry does (NOT_FOUND, ...). */
  readonly load: (modelName: string, version: number) => Promise<PinnableVersion>;
  /** Bytes held right now by the versions aliases serve (never evicted here). */
  readonly aliasBytes: () => number;
}

/** One pinned version in {@link VersionPins.status}. */
export interface PinnedVersionStatus {
  readonly version: number;
  readonly sha256: string;
  readonly loadedAt: Date;
  readonly inFlight: number;
}

interface Pin extends PinnableVersion {
  lastUsed: number;
}

/** onnxruntime keeps the weights plus its own optimized copy and arenas: about 3 times the file. */
export function estimateModelBytes(artifactBytes: number): number {
  return artifactBytes * 3;
}

/**
 * Versions requested by number (`/versions/{v}`) that no alias serves: loaded on first use and
 * kept while they fit the memory budget, least recently used unloaded first (after their
 * in-flight requests). Concurrent requests for a version being loaded share one load.
 */
export class VersionPins {
  private readonly pins = new Map<string, Pin>();
  private readonly loading = new Map<string, Promise<Pin>>();
  private uses = 0;

  constructor(private readonly options: VersionPinsOptions) {}

  /**
   * A lease on `modelName` version `version`, loading it when needed.
   *
   * @throws what the load throws (e.g. the registry's NOT_FOUND), or {@link UnavailableError}
   * when the version cannot fit the memory budget next to the aliases' versions.
   */
  async lease(modelName: string, version: number): Promise<ModelLease> {
    const key = keyOf(modelName, version);
    for (;;) {
      const pin = this.pins.get(key) ?? (await this.loadOnce(key, modelName, version));
      pin.lastUsed = ++this.uses;
      if (!pin.model.isRetired()) return pin.model.acquire();
      this.pins.delete(key);
    }
  }

  /** Pinned versions of one model, by version. */
  status(modelName: string): PinnedVersionStatus[] {
    return [...this.pins.values()]
      .filter((pin) => pin.model.modelName === modelName)
      .map((pin) => ({ version: pin.model.version, sha256: pin.model.sha256, loadedAt: pin.model.loadedAt, inFlight: pin.model.inFlight }))
      .sort((a, b) => a.version - b.version);
  }

  /** Bytes charged to pinned versions. */
  bytes(): number {
    let total = 0;
    for (const pin of this.pins.values()) total += pin.bytes;
    return total;
  }

  /** Unloads one pinned version, if pinned (after its in-flight requests). */
  drop(modelName: string, version: number): void {
    const key = keyOf(modelName, version);
    const pin = this.pins.get(key);
    if (pin === undefined) return;
    this.pins.delete(key);
    pin.model.retire();
  }

  /** Unloads every pinned version (shutdown); resolves when their sessions are released. */
  async close(): Promise<void> {
    const models = [...this.pins.values()].map((pin) => pin.model);
    this.pins.clear();
    for (const model of models) model.retire();
    await Promise.all(models.map((model) => model.whenDisposed()));
  }

  private loadOnce(key: string, modelName: string, version: number): Promise<Pin> {
    let pending = this.loading.get(key);
    if (pending === undefined) {
      pending = this.loadAndFit(key, modelName, version).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async loadAndFit(key: string, modelName: string, version: number): Promise<Pin> {
    const loaded = await this.options.load(modelName, version);
    const free = (): number => this.options.budgetBytes - this.options.aliasBytes() - this.bytes();
    const byAge = [...this.pins.entries()].sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    while (free() < loaded.bytes && byAge.length > 0) {
      const [oldKey, oldest] = byAge.shift() as [string, Pin];
      this.pins.delete(oldKey);
      oldest.model.retire();
    }
    if (free() < loaded.bytes) {
      loaded.model.retire();
      const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
      throw new UnavailableError(
        `${modelName} version ${version} needs about ${mb(loaded.bytes)} MB but the model memory budget (MODEL_MEMORY_BUDGET_MB) has ${mb(Math.max(0, free()))} MB left next to the versions its aliases serve`,
        MODEL_NOT_READY_RETRY_MS,
      );
    }
    const pin: Pin = { ...loaded, lastUsed: ++this.uses };
    this.pins.set(key, pin);
    return pin;
  }
}

function keyOf(modelName: string, version: number): string {
  return `${modelName}@${version}`;
}

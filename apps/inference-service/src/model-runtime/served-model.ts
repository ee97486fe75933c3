import { type LoadedModel, type ModelLease, type TimedPrediction } from './loaded-model';
import { ModelUnavailableError } from './model-runtime.errors';
import { type InferenceTensor } from './tensors';

/** The last load that failed for an alias; the alias kept serving what it had. */
export interface AliasLoadFailure {
  version: number;
  /** `ModelLoadError.reason` when the error has one, else the error's name. */
  reason: string;
  message: string;
  at: Date;
}

/** One alias in {@link ServedModel.status}; the version fields are absent while nothing is loaded. */
export interface AliasStatus {
  alias: string;
  version?: number;
  sha256?: string;
  loadedAt?: Date;
  inFlight: number;
  lastFailure?: AliasLoadFailure;
}

/**
 * The versions one model name serves, one per alias (`production`, `canary`, ...). A swap
 * changes the alias target in one synchronous step, so a request leases either the old or the
 * new version, never neither; the old version is disposed once its in-flight requests finish.
 */
export class ServedModel {
  private readonly targets = new Map<string, LoadedModel>();
  private readonly failures = new Map<string, AliasLoadFailure>();

  constructor(
    readonly modelName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Points `alias` at a loaded (warm) model and retires the version it replaces, unless another
   * alias still serves that version.
   *
   * @returns the replaced model, if any.
   * @throws Error when the model is of another model name or already retired.
   */
  swap(alias: string, loaded: LoadedModel): LoadedModel | undefined {
    if (loaded.modelName !== this.modelName) {
      throw new Error(`cannot serve model=${loaded.modelName} version=${loaded.version} as an alias of model=${this.modelName}`);
    }
    if (loaded.isRetired()) throw new Error(`cannot serve model=${this.modelName} version=${loaded.version}: it is retired`);
    const previous = this.targets.get(alias);
    this.targets.set(alias, loaded);
    if (previous !== undefined && previous !== loaded && !this.isServed(previous)) previous.retire();
    return previous;
  }

  /** Removes the alias (e.g. the registry deleted it) and retires its version unless another alias serves it. */
  unload(alias: string): void {
    const previous = this.targets.get(alias);
    this.targets.delete(alias);
    if (previous !== undefined && !this.isServed(previous)) previous.retire();
  }

  /**
   * A hold on the alias's current version for one request; release it when the request is done.
   *
   * @throws {@link ModelUnavailableError} when the alias has no loaded version.
   */
  lease(alias: string): ModelLease {
    const target = this.targets.get(alias);
    if (target === undefined) throw new ModelUnavailableError(this.modelName, alias, 'no version is loaded');
    return target.acquire();
  }

  /** Leases the alias, runs one inference and releases the lease, also when the inference fails. */
  async predict(alias: string, inputs: Readonly<Record<string, InferenceTensor>>): Promise<{ version: number; outputs: Record<string, InferenceTensor> }> {
    const lease = this.lease(alias);
    try {
      return { version: lease.model.version, outputs: await lease.model.predict(inputs) };
    } finally {
      lease.release();
    }
  }

  /** {@link ServedModel.predict} with the timings of {@link LoadedModel.predictTimed} (queue, inference, batch rows). */
  async predictTimed(alias: string, inputs: Readonly<Record<string, InferenceTensor>>): Promise<TimedPrediction & { version: number }> {
    const lease = this.lease(alias);
    try {
      return { version: lease.model.version, ...(await lease.model.predictTimed(inputs)) };
    } finally {
      lease.release();
    }
  }

  /** Records that loading `version` for `alias` failed; the alias keeps its current target. */
  recordFailure(alias: string, version: number, error: unknown): void {
    const reason = typeof error === 'object' && error !== null && 'reason' in error && typeof error.reason === 'string' ? error.reason : undefined;
    this.failures.set(alias, {
      version,
      reason: reason ?? (error instanceof Error ? error.name : 'UNKNOWN'),
      message: error instanceof Error ? error.message : String(error),
      at: this.now(),
    });
  }

  /** True when the alias has a loaded, warm version (readiness). */
  isLoaded(alias: string): boolean {
    return this.targets.has(alias);
  }

  /** Every alias with a loaded version or a recorded failure, sorted by name. */
  status(): AliasStatus[] {
    const aliases = [...new Set([...this.targets.keys(), ...this.failures.keys()])].sort();
    return aliases.map((alias) => {
      const target = this.targets.get(alias);
      const lastFailure = this.failures.get(alias);
      return {
        alias,
        ...(target === undefined ? {} : { version: target.version, sha256: target.sha256, loadedAt: target.loadedAt }),
        inFlight: target?.inFlight ?? 0,
        ...(lastFailure === undefined ? {} : { lastFailure: { ...lastFailure } }),
      };
    });
  }

  /** Retires every version (shutdown) and resolves when their sessions are released. */
  async close(): Promise<void> {
    const models = [...new Set(this.targets.values())];
    this.targets.clear();
    for (const model of models) model.retire();
    await Promise.all(models.map((model) => model.whenDisposed()));
  }

  private isServed(model: LoadedModel): boolean {
    for (const target of this.targets.values()) if (target === model) return true;
    return false;
  }
}

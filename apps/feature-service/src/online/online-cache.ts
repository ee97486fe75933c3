import { Inject, Injectable } from '@nestjs/common';
import { FEATURE_CONFIG, type FeatureConfig } from '../config/feature.config';

/** An online row as cached: the stored JSON arrays (null when the entity has no online row). */
export interface OnlineRow {
  readonly values: readonly (number | string | boolean | null)[];
  readonly eventTimes: readonly (string | null)[];
  readonly evaluatedAt: Date;
}

/** The newest online_generation this process knows of a feature set, and when it last read it. */
export interface KnownGeneration {
  readonly generation: bigint;
  /** Epoch ms of the last database read (or in-process invalidation). */
  readonly checkedAt: number;
}

interface Entry {
  readonly generation: bigint;
  readonly row: OnlineRow | null;
}

/** Hit and miss counters of the online cache since start. */
export interface OnlineCacheStats {
  readonly capacity: number;
  readonly size: number;
  readonly hits: number;
  readonly misses: number;
}

/**
 * In-process cache of online rows keyed by (feature set ID, entity ID), tagged with the
 * feature set's online_generation they were read at. An entry of an older generation is a
 * miss, so a materialization of this process (which calls {@link invalidate}) is seen at
 * once and one of another replica as soon as the reader knows the new generation. Bounded
 * to ONLINE_CACHE_ENTRIES rows, evicting the least recently used; 0 disables it.
 */
@Injectable()
export class OnlineCache {
  private readonly entries = new Map<string, Entry>();
  private readonly generations = new Map<string, KnownGeneration>();
  private readonly capacity: number;
  private hits = 0;
  private misses = 0;

  constructor(@Inject(FEATURE_CONFIG) config: FeatureConfig) {
    this.capacity = config.onlineCacheEntries;
  }

  /** The cached row (null = known to have no online row) of an entity at `generation`, or undefined on a miss. */
  get(featureSetId: string, entityKey: string, generation: bigint): OnlineRow | null | undefined {
    const key = cacheKey(featureSetId, entityKey);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.generation !== generation) {
      this.misses += 1;
      return undefined;
    }
    // Re-insert to mark it most recently used (Map iterates in insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits += 1;
    return entry.row;
  }

  /** Caches a row read at `generation`. */
  set(featureSetId: string, entityKey: string, generation: bigint, row: OnlineRow | null): void {
    if (this.capacity === 0) return;
    const key = cacheKey(featureSetId, entityKey);
    this.entries.delete(key);
    this.entries.set(key, { generation, row });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** The newest generation known for a feature set, or undefined when never read. */
  knownGeneration(featureSetId: string): KnownGeneration | undefined {
    return this.generations.get(featureSetId);
  }

  /** Records a generation read from the database at `checkedAt`; never moves back to an older one. */
  noteGeneration(featureSetId: string, generation: bigint, checkedAt: number): void {
    const known = this.generations.get(featureSetId);
    this.generations.set(featureSetId, { generation: known !== undefined && known.generation > generation ? known.generation : generation, checkedAt });
  }

  /**
   * Called by this process's materialization after it committed `generation`: rows of older
   * generations stop being served at once (including ones a concurrent read caches later).
   */
  invalidate(featureSetId: string, generation: bigint, now = Date.now()): void {
    this.noteGeneration(featureSetId, generation, now);
    const prefix = `${featureSetId}\u0000`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  /** Capacity, size and hit counters (for benchmarks and diagnostics). */
  stats(): OnlineCacheStats {
    return { capacity: this.capacity, size: this.entries.size, hits: this.hits, misses: this.misses };
  }
}

function cacheKey(featureSetId: string, entityKey: string): string {
  return `${featureSetId}\u0000${entityKey}`;
}

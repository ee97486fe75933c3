import type { oipV1 } from '@strata/contracts';
import { type InputSpec, ModelInputSchema } from './input-schema';

interface Entry {
  readonly expiresAt: number;
  readonly schema: Promise<ModelInputSchema>;
}

/** Most models (× versions) whose input schemas are kept. */
const MAX_ENTRIES = 1_000;

/**
 * Model input schemas from Open Inference Protocol model metadata, cached per model and
 * version for `ttlMs`: the predict route checks bodies against them without asking inference
 * each time. Concurrent misses share one fetch; a failed fetch is not cached.
 */
export class ModelMetadataCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The schema of `model` (`version` undefined = the version OIP metadata describes by default), fetching with `load` on a miss. */
  get(model: string, version: number | undefined, load: () => Promise<oipV1.ModelMetadataResponse>): Promise<ModelInputSchema> {
    const key = `${model}\u0000${version ?? ''}`;
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.expiresAt > now) return cached.schema;
    const schema = load().then((metadata) => new ModelInputSchema(metadata.inputs.map((input): InputSpec => ({ name: input.name, datatype: input.datatype, shape: input.shape.map(Number) }))));
    this.entries.delete(key);
    this.entries.set(key, { expiresAt: now + this.ttlMs, schema });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    schema.catch(() => {
      if (this.entries.get(key)?.schema === schema) this.entries.delete(key);
    });
    return schema;
  }
}

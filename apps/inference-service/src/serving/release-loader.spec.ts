import { OnnxGraphBuilder } from '@strata/onnx';
import pino from 'pino';
import { aLinearModelBytes, sha256Of } from '../model-runtime/model-runtime.fixtures';
import { type DownloadedArtifact, ModelRegistry, type VersionMetadata } from '../releases/model-registry';
import type { ReleaseMessage } from '../releases/release-state';
import { ModelCatalog } from './model-catalog';
import { modelStatusOf } from './model-status';
import { ReleaseLoader } from './release-loader';
import { VersionLoader } from './version-loader';
import { FakeFeatureStore } from '../features/features.fixtures';

/** A registry that releases what the test pushes and serves the artifacts it was given. */
class ScriptedRegistry extends ModelRegistry {
  readonly artifacts = new Map<number, Uint8Array>();
  private readonly queue: ReleaseMessage[] = [];
  private wake: (() => void) | undefined;

  push(message: ReleaseMessage): void {
    this.queue.push(message);
    this.wake?.();
  }

  async *watchReleases(_fromRevision: number, signal: AbortSignal): AsyncIterable<ReleaseMessage> {
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
    while (!signal.aborted) {
      const next = this.queue.shift();
      if (next !== undefined) yield next;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  downloadArtifact(_modelName: string, version: number): Promise<DownloadedArtifact> {
    const bytes = this.artifacts.get(version) ?? new Uint8Array();
    return Promise.resolve({ version, bytes, sha256: sha256Of(bytes) });
  }

  getVersion(modelName: string, version: number): Promise<VersionMetadata> {
    return Promise.resolve({ modelName, version, inputBindings: [], featureContracts: [], tags: {} });
  }
}

const externalDataModel = new OnnxGraphBuilder()
  .addInput({ name: 'features', datatype: 'FP32', shape: ['batch', 3] })
  .addInitializer({ name: 'w', datatype: 'FP32', dims: [3], externalData: { location: 'weights.bin', offset: 0, length: 12 } })
  .addNode({ opType: 'Add', inputs: ['features', 'w'], outputs: ['score'] })
  .addOutput({ name: 'score', datatype: 'FP32', shape: ['batch', 3] })
  .build();

describe(ReleaseLoader.name, () => {
  let registry: ScriptedRegistry;
  let catalog: ModelCatalog;
  let loader: ReleaseLoader;
  let revision = 0;

  const move = (version: number, sha256 = sha256Of(registry.artifacts.get(version) ?? new Uint8Array())): void =>
    registry.push({ kind: 'alias-moved', revision: (revision += 1), modelName: 'm', alias: 'production', target: { version, sha256 } });
  const settle = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
  };
  const servedVersion = (): number | undefined => catalog.find('m')?.status().find((status) => status.alias === 'production')?.version;
  const failureOf = (): string | undefined => catalog.find('m')?.status().find((status) => status.alias === 'production')?.lastFailure?.reason;

  beforeEach(() => {
    registry = new ScriptedRegistry();
    catalog = new ModelCatalog();
    loader = new ReleaseLoader(registry, catalog, new VersionLoader(registry, catalog, new FakeFeatureStore(), { batchMaxSize: 1, batchMaxDelay: 0, sessionIntraOpThreads: 1, sessionInterOpThreads: 1 }), { registryAddress: 'fake:1' }, pino({ level: 'silent' }));
    registry.artifacts.set(1, aLinearModelBytes({ bias: [1] }));
    registry.push({ kind: 'snapshot', revision: 0, reset: false, models: new Map() });
    loader.onApplicationBootstrap();
  });

  afterEach(async () => {
    await loader.onModuleDestroy();
    await catalog.onModuleDestroy();
  });

  it.each([
    ['a corrupt artifact', (): void => void registry.artifacts.set(2, new TextEncoder().encode('not onnx')), 'INVALID_MODEL'],
    ['an artifact whose digest is not the released one', (): void => void registry.artifacts.set(2, aLinearModelBytes({ bias: [2] })), 'DIGEST_MISMATCH'],
    ['a model with external data', (): void => void registry.artifacts.set(2, externalDataModel), 'EXTERNAL_DATA'],
  ])('refuses %s and keeps serving the previous version', async (_case, prepare, reason) => {
    move(1);
    await settle(() => servedVersion() === 1);
    prepare();
    const releasedSha = reason === 'DIGEST_MISMATCH' ? 'f'.repeat(64) : sha256Of(registry.artifacts.get(2) as Uint8Array);
    move(2, releasedSha);
    await settle(() => failureOf() !== undefined);
    expect(failureOf()).toBe(reason);
    expect(servedVersion()).toBe(1);
    const { outputs } = await (catalog.find('m') as NonNullable<ReturnType<ModelCatalog['find']>>).predict('production', { features: { datatype: 'FP32', shape: [1, 3], data: [0, 0, 0] } });
    expect(Array.from(outputs['score']?.data as Float32Array)).toEqual([1]);
    expect(loader.failedLoads()).toBe(1);
    const status = modelStatusOf('m', catalog.served('m').status(), catalog.policyOf('m'));
    expect(status.versions).toEqual([expect.objectContaining({ version: 1, state: 'ready' }), expect.objectContaining({ version: 2, state: 'failed', lastLoadError: expect.stringContaining(reason) as unknown })]);
  });

  it('is ready only once every production alias has a loaded version, and stays ready while a new version loads or fails', async () => {
    await settle(() => loader.isReady());
    let changes = 0;
    loader.onChange(() => (changes += 1));
    registry.artifacts.set(5, new TextEncoder().encode('not onnx'));
    move(5);
    await settle(() => failureOf() !== undefined);
    expect(loader.isReady()).toBe(false); // production exists but nothing could be loaded for it
    move(1);
    await settle(() => servedVersion() === 1);
    expect(loader.isReady()).toBe(true);
    move(5);
    await settle(() => loader.failedLoads() === 2);
    expect(loader.isReady()).toBe(true); // version 1 still serves
    expect(changes).toBeGreaterThanOrEqual(3);
  });

  it("measures every load's longest event-loop stall, loaded or failed, for /metrics", async () => {
    const seen: number[] = [];
    loader.onLoadStall((stallMs) => seen.push(stallMs));
    expect(loader.loadStalls()).toEqual({ count: 0, lastMs: 0, maxMs: 0 });
    move(1);
    await settle(() => servedVersion() === 1);
    registry.artifacts.set(2, new TextEncoder().encode('not onnx'));
    move(2);
    await settle(() => loader.failedLoads() === 1);
    expect(seen).toHaveLength(2);
    expect(seen.every((stallMs) => Number.isFinite(stallMs) && stallMs >= 0)).toBe(true);
    expect(loader.loadStalls()).toEqual({ count: 2, lastMs: seen[1], maxMs: Math.max(...seen) });
  });
});

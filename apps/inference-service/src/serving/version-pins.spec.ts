import { UnavailableError } from '@strata/service-runtime';
import { type LoadedModel } from '../model-runtime';
import { aLoadedLinearModel } from '../model-runtime/model-runtime.fixtures';
import { MODEL_NOT_READY_RETRY_MS } from './model-not-ready';
import { VersionPins } from './version-pins';

const MB = 1024 * 1024;

describe('VersionPins', () => {
  let loads: number[];
  let loaded: LoadedModel[];
  let aliasBytes: number;
  let pins: VersionPins;

  const pinsWith = (budgetMb: number, bytesOf: (version: number) => number = () => 10 * MB): VersionPins =>
    new VersionPins({
      budgetBytes: budgetMb * MB,
      aliasBytes: () => aliasBytes,
      load: async (_model, version) => {
        loads.push(version);
        const model = await aLoadedLinearModel(version);
        loaded.push(model);
        return { model, bytes: bytesOf(version) };
      },
    });

  beforeEach(() => {
    loads = [];
    loaded = [];
    aliasBytes = 0;
  });

  afterEach(async () => {
    await pins.close();
    for (const model of loaded) model.retire();
  });

  it('loads a version on first use, keeps it, and shares one load between concurrent requests', async () => {
    pins = pinsWith(100);
    const leases = await Promise.all([pins.lease('flights-delay', 3), pins.lease('flights-delay', 3)]);
    expect(loads).toEqual([3]);
    expect(leases.map((lease) => lease.model.version)).toEqual([3, 3]);
    for (const lease of leases) lease.release();
    (await pins.lease('flights-delay', 3)).release();
    expect(loads).toEqual([3]);
    expect(pins.status('flights-delay').map((status) => status.version)).toEqual([3]);
  });

  it('unloads the least recently used version when a new one does not fit, after its in-flight requests', async () => {
    pins = pinsWith(25);
    const first = await pins.lease('flights-delay', 1);
    (await pins.lease('flights-delay', 2)).release();
    first.release();
    (await pins.lease('flights-delay', 2)).release(); // 2 is now the most recently used
    const inFlight = await pins.lease('flights-delay', 1);
    // 1 and 2 fill 20 of 25 MB: loading 3 evicts the least recently used, 2 — not 1, which is in use
    (await pins.lease('flights-delay', 3)).release();
    expect(pins.status('flights-delay').map((status) => status.version)).toEqual([1, 3]);
    expect(inFlight.model.isDisposed()).toBe(false);
    expect(await inFlight.model.predict({ features: { datatype: 'FP32', shape: [1, 3], data: [0, 0, 0] } })).toBeDefined();
    inFlight.release();
    const two = loaded.find((model) => model.version === 2) as LoadedModel;
    await two.whenDisposed();
    expect(two.isDisposed()).toBe(true);
  });

  it('refuses a version that cannot fit next to the aliases\' versions, clearly, and keeps nothing of it', async () => {
    pins = pinsWith(100, (version) => (version === 9 ? 60 * MB : 10 * MB));
    aliasBytes = 50 * MB;
    const error = await pins.lease('flights-delay', 9).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/version 9 needs about 60\.0 MB .*MODEL_MEMORY_BUDGET_MB.* 50\.0 MB left/);
    // A retry delay (google.rpc.RetryInfo): also how the gateway's breaker tells inference's own answer from a failed connection.
    expect((error as UnavailableError).retryAfterMs).toBe(MODEL_NOT_READY_RETRY_MS);
    expect(pins.status('flights-delay')).toEqual([]);
    await (loaded[0] as LoadedModel).whenDisposed();
  });

  it('passes the loader\'s error on (e.g. the registry has no such version) and retries on the next request', async () => {
    let fail = true;
    pins = new VersionPins({
      budgetBytes: 100 * MB,
      aliasBytes: () => 0,
      load: async (_model, version) => {
        if (fail) throw Object.assign(new Error('no such version'), { code: 5 });
        const model = await aLoadedLinearModel(version);
        loaded.push(model);
        return { model, bytes: MB };
      },
    });
    await expect(pins.lease('flights-delay', 7)).rejects.toMatchObject({ code: 5 });
    fail = false;
    const lease = await pins.lease('flights-delay', 7);
    expect(lease.model.version).toBe(7);
    lease.release();
  });
});

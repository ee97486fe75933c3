import { type LoadedModel } from './loaded-model';
import { ModelLoadError, ModelUnavailableError } from './model-runtime.errors';
import { aLoadedLinearModel } from './model-runtime.fixtures';
import { ServedModel } from './served-model';
import { type InferenceTensor } from './tensors';

const ONE_ROW: Record<string, InferenceTensor> = { features: { datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] } };
// The fixture's bias is its version: [1, 1, 1] · [1, 2, 3] + version.
const scoreOf = (version: number): number => 6 + version;
const AT = new Date('2026-11-28T12:00:00Z');

async function scoreThrough(model: LoadedModel): Promise<number | undefined> {
  const outputs = await model.predict(ONE_ROW);
  return Number(outputs['score']?.data[0]);
}

describe(ServedModel.name, () => {
  let served: ServedModel;

  beforeEach(() => {
    served = new ServedModel('flights-delay', () => AT);
  });

  afterEach(async () => {
    await served.close();
  });

  it('answers ModelUnavailableError when the alias has no loaded version', () => {
    expect(() => served.lease('production')).toThrow(ModelUnavailableError);
    expect(() => served.lease('production')).toThrow('model=flights-delay alias=production is unavailable: no version is loaded');
  });

  it('keeps the old version until its in-flight lease is released, and leases the new one after a swap', async () => {
    const v1 = await aLoadedLinearModel(1);
    const v2 = await aLoadedLinearModel(2);
    served.swap('production', v1);
    const inFlight = served.lease('production');

    expect(served.swap('production', v2)).toBe(v1);

    expect({ retired: v1.isRetired(), disposed: v1.isDisposed() }).toEqual({ retired: true, disposed: false });
    const next = served.lease('production');
    expect(next.model.version).toBe(2);
    await expect(scoreThrough(inFlight.model)).resolves.toBe(scoreOf(1));
    await expect(scoreThrough(next.model)).resolves.toBe(scoreOf(2));
    next.release();

    inFlight.release();
    await v1.whenDisposed();
    expect({ v1Disposed: v1.isDisposed(), v2Disposed: v2.isDisposed() }).toEqual({ v1Disposed: true, v2Disposed: false });
  });

  it('answers batched requests queued before a swap with the old version', async () => {
    const v1 = await aLoadedLinearModel(1, { batching: { maxBatchSize: 4, maxQueueDelayMs: 0 } });
    const v2 = await aLoadedLinearModel(2, { batching: { maxBatchSize: 4, maxQueueDelayMs: 0 } });
    served.swap('production', v1);
    const queued = [served.predictTimed('production', ONE_ROW), served.predictTimed('production', ONE_ROW)];

    served.swap('production', v2);
    const after = await served.predictTimed('production', ONE_ROW);
    const before = await Promise.all(queued);
    await v1.whenDisposed();

    expect(before.map(({ version, outputs, batchRows }) => ({ version, score: Number(outputs['score']?.data[0]), batchRows }))).toEqual([
      { version: 1, score: scoreOf(1), batchRows: 2 },
      { version: 1, score: scoreOf(1), batchRows: 2 },
    ]);
    expect({ version: after.version, score: Number(after.outputs['score']?.data[0]), v1Disposed: v1.isDisposed() }).toEqual({ version: 2, score: scoreOf(2), v1Disposed: true });
  });

  it('does not retire a version another alias still serves', async () => {
    const v1 = await aLoadedLinearModel(1);
    const v2 = await aLoadedLinearModel(2);
    served.swap('production', v1);
    served.swap('canary', v1);

    served.swap('canary', v2);

    expect(v1.isRetired()).toBe(false);
    await expect(served.predict('production', ONE_ROW)).resolves.toMatchObject({ version: 1 });
    await expect(served.predict('canary', ONE_ROW)).resolves.toMatchObject({ version: 2 });
  });

  it('refuses a model of another name', async () => {
    const other = await aLoadedLinearModel(1, { modelName: 'churn' });

    expect(() => served.swap('production', other)).toThrow('cannot serve model=churn version=1 as an alias of model=flights-delay');
    other.retire();
    await other.whenDisposed();
  });

  it('reports version, digest, load time, in-flight count and the last failure per alias', async () => {
    const v1 = await aLoadedLinearModel(1, { now: () => AT });
    served.swap('production', v1);
    const lease = served.lease('production');
    served.recordFailure('production', 2, new ModelLoadError('DIGEST_MISMATCH', 'flights-delay', 2, 'expected sha256 aa, the bytes have bb'));
    served.recordFailure('canary', 3, new Error('download timed out'));

    expect(served.status()).toEqual([
      { alias: 'canary', inFlight: 0, lastFailure: { version: 3, reason: 'Error', message: 'download timed out', at: AT } },
      {
        alias: 'production',
        version: 1,
        sha256: v1.sha256,
        loadedAt: AT,
        inFlight: 1,
        lastFailure: {
          version: 2,
          reason: 'DIGEST_MISMATCH',
          message: 'cannot load model=flights-delay version=2 (DIGEST_MISMATCH): expected sha256 aa, the bytes have bb',
          at: AT,
        },
      },
    ]);
    lease.release();
  });

  it('releases the lease when a prediction fails', async () => {
    const v1 = await aLoadedLinearModel(1);
    served.swap('production', v1);

    await expect(served.predict('production', {})).rejects.toThrow('input "features": missing');
    expect(v1.inFlight).toBe(0);
  });

  it('never fails a request over 200 swaps with interleaved predictions', async () => {
    const retired: LoadedModel[] = [];
    served.swap('production', await aLoadedLinearModel(0));
    let failures = 0;

    for (let version = 1; version <= 200; version++) {
      const next = await aLoadedLinearModel(version);
      const inFlight = served.lease('production');
      const previous = served.swap('production', next);
      if (previous !== undefined) retired.push(previous);

      // The request that started before the swap finishes on the old version; new ones get the new one.
      const [before, after] = await Promise.all([scoreThrough(inFlight.model), served.predict('production', ONE_ROW)]);
      inFlight.release();
      if (before !== scoreOf(version - 1) || after.version !== version || Number(after.outputs['score']?.data[0]) !== scoreOf(version)) failures++;
    }

    await Promise.all(retired.map((model) => model.whenDisposed()));
    expect({ failures, retired: retired.length, allDisposed: retired.every((model) => model.isDisposed()) }).toEqual({
      failures: 0,
      retired: 200,
      allDisposed: true,
    });
  });
});

import { OnnxGraphBuilder } from '@strata/onnx';

import { LoadedModel, loadModel } from './loaded-model';
import { InvalidInputError, ModelLoadError, type ModelLoadFailureReason, ModelUnavailableError } from './model-runtime.errors';
import { aLinearModelBytes, aLoadInput, sha256Of } from './model-runtime.fixtures';
import { type InferenceTensor } from './tensors';

async function loadFailureOf(bytes: Uint8Array, sha256 = sha256Of(bytes)): Promise<ModelLoadError> {
  try {
    const model = await loadModel(aLoadInput({ bytes, sha256 }));
    model.retire();
  } catch (error) {
    if (error instanceof ModelLoadError) return error;
    throw error;
  }
  throw new Error('the model loaded');
}

function expectReason(error: ModelLoadError, reason: ModelLoadFailureReason): void {
  expect({ reason: error.reason, message: error.message }).toEqual({ reason, message: expect.stringContaining(`(${reason})`) });
}

const features = (rows: number[][]): InferenceTensor => ({ datatype: 'FP32', shape: [rows.length, 3], data: rows.flat() });

function inputErrorOf(run: () => unknown): Promise<InvalidInputError> {
  return Promise.resolve()
    .then(run)
    .then(
      () => {
        throw new Error('the input was accepted');
      },
      (error: unknown) => {
        if (error instanceof InvalidInputError) return error;
        throw error;
      },
    );
}

describe(LoadedModel.name, () => {
  let model: LoadedModel;

  beforeAll(async () => {
    model = await loadModel(aLoadInput({ maxBatchRows: 4 }));
  });

  afterAll(async () => {
    model.retire();
    await model.whenDisposed();
  });

  it('loads, warms and predicts the linear model', async () => {
    const outputs = await model.predict({ features: features([[1, 1, 1], [1, 0, 0], [0, 0, 2]]) });

    expect(outputs).toEqual({ score: { datatype: 'FP32', shape: [3, 1], data: new Float32Array([6.5, 1.5, 6.5]) } });
    expect(model.signature.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 3], unknownRank: false }]);
    expect(model).toMatchObject({ modelName: 'flights-delay', version: 1, sha256: sha256Of(aLinearModelBytes()), inFlight: 0 });
  });

  it('accepts an upper-case sha256', async () => {
    const bytes = aLinearModelBytes();
    const loaded = await loadModel(aLoadInput({ bytes, sha256: sha256Of(bytes).toUpperCase() }));
    loaded.retire();
    await loaded.whenDisposed();
    expect(loaded.sha256).toBe(sha256Of(bytes));
  });

  it.each([
    ['an unknown input', { features: features([[1, 2, 3]]), extra: features([[1, 2, 3]]) }, 'extra', 'input "extra": unknown input, expected only "features"'],
    ['a missing input', {}, 'features', 'input "features": missing, expected FP32 [batch, 3]'],
    ['a wrong datatype', { features: { datatype: 'FP64', shape: [1, 3], data: [1, 2, 3] } }, 'features', 'input "features": expected FP32 [batch, 3], got FP64 [1, 3]'],
    ['a wrong rank', { features: { datatype: 'FP32', shape: [3], data: [1, 2, 3] } }, 'features', 'input "features": expected FP32 [batch, 3], got FP32 [3]'],
    ['a fixed-dimension mismatch', { features: { datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] } }, 'features', 'input "features": expected FP32 [batch, 3], got FP32 [1, 4]'],
    ['data shorter than the shape', { features: { datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5] } }, 'features', 'input "features": shape [2, 3] needs 6 values, got 5'],
    ['a batch over the row limit', { features: features([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]) }, 'features', 'input "features": expected at most 4 rows, got 5 (shape [5, 3])'],
    ['a value of the wrong type', { features: { datatype: 'FP32', shape: [1, 3], data: [1, 'two', 3] } }, 'features', 'input "features": expected FP32 values, but value 1 is "two", expected a number'],
  ] as [string, Record<string, InferenceTensor>, string, string][])('refuses %s, naming the input and what was expected', async (_case, inputs, field, message) => {
    const error = await inputErrorOf(() => model.predict(inputs));

    expect({ field: error.field, message: error.message }).toEqual({ field, message });
  });

  it('serves INT64, BOOL and BYTES inputs and outputs', async () => {
    const bytes = new OnnxGraphBuilder()
      .addInput({ name: 'ids', datatype: 'INT64', shape: ['batch', 2] })
      .addInput({ name: 'flags', datatype: 'BOOL', shape: ['batch'] })
      .addInput({ name: 'names', datatype: 'BYTES', shape: ['batch'] })
      .addNode({ opType: 'Identity', inputs: ['ids'], outputs: ['ids_out'] })
      .addNode({ opType: 'Not', inputs: ['flags'], outputs: ['flags_out'] })
      .addNode({ opType: 'Identity', inputs: ['names'], outputs: ['names_out'] })
      .addOutput({ name: 'ids_out', datatype: 'INT64', shape: ['batch', 2] })
      .addOutput({ name: 'flags_out', datatype: 'BOOL', shape: ['batch'] })
      .addOutput({ name: 'names_out', datatype: 'BYTES', shape: ['batch'] })
      .build();
    const loaded = await loadModel(aLoadInput({ bytes }));

    const outputs = await loaded.predict({
      ids: { datatype: 'INT64', shape: [1, 2], data: [7, 2n ** 40n] },
      flags: { datatype: 'BOOL', shape: [1], data: [true] },
      names: { datatype: 'BYTES', shape: [1], data: ['a'] },
    });
    loaded.retire();
    await loaded.whenDisposed();

    expect(outputs).toEqual({
      ids_out: { datatype: 'INT64', shape: [1, 2], data: new BigInt64Array([7n, 2n ** 40n]) },
      flags_out: { datatype: 'BOOL', shape: [1], data: [false] },
      names_out: { datatype: 'BYTES', shape: [1], data: ['a'] },
    });
  });

  describe('loading', () => {
    it('refuses bytes whose sha256 differs with DIGEST_MISMATCH', async () => {
      const error = await loadFailureOf(aLinearModelBytes(), sha256Of(aLinearModelBytes({ bias: [9] })));
      expectReason(error, 'DIGEST_MISMATCH');
      expect(error.message).toContain(`the bytes have ${sha256Of(aLinearModelBytes())}`);
    });

    it('refuses a digest that is not bare hex with DIGEST_MISMATCH', async () => {
      expectReason(await loadFailureOf(aLinearModelBytes(), `sha256:${sha256Of(aLinearModelBytes())}`), 'DIGEST_MISMATCH');
    });

    it('refuses corrupt bytes with INVALID_MODEL', async () => {
      expectReason(await loadFailureOf(Buffer.from('this is not an onnx model')), 'INVALID_MODEL');
    });

    it('refuses a model with external data with EXTERNAL_DATA', async () => {
      const bytes = new OnnxGraphBuilder()
        .addInput({ name: 'x', datatype: 'FP32', shape: ['batch', 3] })
        .addInitializer({ name: 'w', datatype: 'FP32', dims: [3], externalData: { location: 'weights.bin', offset: 0, length: 12 } })
        .addNode({ opType: 'Add', inputs: ['x', 'w'], outputs: ['y'] })
        .addOutput({ name: 'y', datatype: 'FP32', shape: ['batch', 3] })
        .build();
      expectReason(await loadFailureOf(bytes), 'EXTERNAL_DATA');
    });

    it('refuses a model with a custom operator domain with CUSTOM_OPS', async () => {
      const bytes = new OnnxGraphBuilder()
        .addInput({ name: 'x', datatype: 'FP32', shape: ['batch', 3] })
        .addNode({ opType: 'Frobnicate', domain: 'com.example.ops', inputs: ['x'], outputs: ['y'] })
        .addOutput({ name: 'y', datatype: 'FP32', shape: ['batch', 3] })
        .addOpset('', 17)
        .addOpset('com.example.ops', 1)
        .build();
      const error = await loadFailureOf(bytes);
      expectReason(error, 'CUSTOM_OPS');
      expect(error.message).toContain('com.example.ops');
    });

    it('refuses a graph onnxruntime cannot build with RUNTIME_REJECTED', async () => {
      const bytes = new OnnxGraphBuilder()
        .addInput({ name: 'x', datatype: 'FP32', shape: ['batch', 3] })
        .addNode({ opType: 'NoSuchOperator', inputs: ['x'], outputs: ['y'] })
        .addOutput({ name: 'y', datatype: 'FP32', shape: ['batch', 3] })
        .build();
      expectReason(await loadFailureOf(bytes), 'RUNTIME_REJECTED');
    });

    it('refuses a model whose warm-up inference fails with WARMUP_FAILED', async () => {
      // Reshaping one row of 3 values to [2, 3] only fails when it runs.
      const bytes = new OnnxGraphBuilder()
        .addInput({ name: 'x', datatype: 'FP32', shape: ['batch', 3] })
        .addInitializer({ name: 'target_shape', datatype: 'INT64', dims: [2], values: [2, 3] })
        .addNode({ opType: 'Reshape', inputs: ['x', 'target_shape'], outputs: ['y'] })
        .addOutput({ name: 'y', datatype: 'FP32', shape: [2, 3] })
        .build();
      expectReason(await loadFailureOf(bytes), 'WARMUP_FAILED');
    });
  });

  describe('dynamic batching', () => {
    let batched: LoadedModel;

    beforeAll(async () => {
      batched = await loadModel(aLoadInput({ batching: { maxBatchSize: 8, maxQueueDelayMs: 0 } }));
    });

    afterAll(async () => {
      batched.retire();
      await batched.whenDisposed();
    });

    it('coalesces concurrent predictions into one run and answers each with its own rows', async () => {
      const results = await Promise.all([batched.predictTimed({ features: features([[1, 1, 1]]) }), batched.predictTimed({ features: features([[1, 0, 0], [0, 0, 2]]) })]);

      expect(results.map(({ outputs, batchRows }) => ({ outputs, batchRows }))).toEqual([
        { outputs: { score: { datatype: 'FP32', shape: [1, 1], data: new Float32Array([6.5]) } }, batchRows: 3 },
        { outputs: { score: { datatype: 'FP32', shape: [2, 1], data: new Float32Array([1.5, 6.5]) } }, batchRows: 3 },
      ]);
      expect(results.every(({ queueMs, inferenceMs }) => queueMs >= 0 && inferenceMs >= 0)).toBe(true);
    });

    it('fails a bad request alone, before it is queued', async () => {
      const [good, bad, alsoGood] = await Promise.allSettled([
        batched.predict({ features: features([[1, 1, 1]]) }),
        batched.predict({ features: { datatype: 'FP32', shape: [1, 3], data: [1, 'two', 3] } }),
        batched.predict({ features: features([[0, 0, 2]]) }),
      ]);

      expect(good).toEqual({ status: 'fulfilled', value: { score: expect.objectContaining({ data: new Float32Array([6.5]) }) } });
      expect(bad).toEqual({ status: 'rejected', reason: expect.any(InvalidInputError) });
      expect(alsoGood).toEqual({ status: 'fulfilled', value: { score: expect.objectContaining({ data: new Float32Array([6.5]) }) } });
    });

    it('answers the requests queued on a retired model before releasing its session', async () => {
      const loaded = await loadModel(aLoadInput({ batching: { maxBatchSize: 2, maxQueueDelayMs: 0 } }));
      const lease = loaded.acquire();
      const queued = [1, 2, 3].map((x) => lease.model.predict({ features: features([[x, 0, 0]]) }));
      lease.release();
      loaded.retire();

      expect({ disposed: loaded.isDisposed(), inFlight: loaded.inFlight }).toEqual({ disposed: false, inFlight: 0 });
      const scores = (await Promise.all(queued)).map((outputs) => Number(outputs['score']?.data[0]));
      await loaded.whenDisposed();

      expect({ scores, disposed: loaded.isDisposed() }).toEqual({ scores: [1.5, 2.5, 3.5], disposed: true });
    });
  });

  describe('leases', () => {
    it('disposes the session only when the last lease of a retired model is released', async () => {
      const loaded = await loadModel(aLoadInput());
      const first = loaded.acquire();
      const second = loaded.acquire();

      loaded.retire();
      first.release();
      first.release();
      expect({ disposed: loaded.isDisposed(), inFlight: loaded.inFlight }).toEqual({ disposed: false, inFlight: 1 });
      await expect(second.model.predict({ features: features([[1, 1, 1]]) })).resolves.toBeDefined();

      second.release();
      await loaded.whenDisposed();
      expect({ disposed: loaded.isDisposed(), error: loaded.disposalError }).toEqual({ disposed: true, error: undefined });
    });

    it('refuses new leases and runs once retired', async () => {
      const loaded = await loadModel(aLoadInput());
      loaded.retire();
      await loaded.whenDisposed();

      expect(() => loaded.acquire()).toThrow(ModelUnavailableError);
      await expect(loaded.predict({ features: features([[1, 1, 1]]) })).rejects.toThrow(ModelUnavailableError);
    });
  });
});

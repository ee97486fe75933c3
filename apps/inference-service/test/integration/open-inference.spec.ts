import { status } from '@grpc/grpc-js';
import { aLinearModel, failureOf, GrpcTestClient, startTestService, TestRegistry, type TestService } from '@strata/testing';

import { inferenceService } from '../../src/bootstrap';

// The Open Inference Protocol (inference.GRPCInferenceService) of an in-process inference-service
// serving what a real registry-service process releases.

jest.setTimeout(240_000);

const MODEL = 'delays';
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

let registry: TestRegistry;
let inference: TestService;
let oip: GrpcTestClient;
let versions: number[];

interface InferResponse {
  modelName: string;
  modelVersion: string;
  id: string;
  outputs: { name: string; datatype: string; shape: string[]; contents: { fp32Contents: number[] } }[];
}

interface TensorMetadata {
  name: string;
  datatype: string;
  shape: string[];
}

const register = (k: number): Promise<number> => registry.register(MODEL, aLinearModel(k));
const setAlias = (alias: string, version: number): Promise<unknown> => registry.setAlias(MODEL, alias, version);

const features = (rows: number[][]): object => ({ name: 'features', datatype: 'FP32', shape: [String(rows.length), String(rows[0]?.length ?? 0)], contents: { fp32Contents: rows.flat() } });

const infer = (request: object): Promise<InferResponse> => oip.call<InferResponse>('modelInfer', { modelName: MODEL, ...request });

async function untilServed(alias: string, version: number): Promise<void> {
  const inferenceClient = new GrpcTestClient('inferenceV1', 'InferenceService', inference.grpcAddress);
  try {
    for (;;) {
      const served = await inferenceClient
        .call<{ modelVersion: number }>('predict', { model: { name: MODEL, alias }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0, 0, 0] } }] })
        .then(
          (response) => response.modelVersion,
          () => 0,
        );
      if (served === version) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    inferenceClient.close();
  }
}

beforeAll(async () => {
  registry = await TestRegistry.start();
  await registry.createModel(MODEL);
  inference = await startTestService(inferenceService, 'pglite', { REGISTRY_ADDRESS: registry.grpcAddress });
  oip = new GrpcTestClient('oipV1', 'GRPCInferenceService', inference.grpcAddress);
  versions = [await register(1), await register(2)];
  await setAlias('production', versions[0] as number);
  await untilServed('production', versions[0] as number);
});

afterAll(async () => {
  oip?.close();
  await inference?.stop();
  await registry?.stop();
});

describe('Open Inference Protocol (inference.GRPCInferenceService)', () => {
  it('answers ServerLive, ServerReady and ServerMetadata', async () => {
    await expect(oip.call('serverLive', {})).resolves.toEqual({ live: true });
    await expect(oip.call('serverReady', {})).resolves.toEqual({ ready: true });
    await expect(oip.call('serverMetadata', {})).resolves.toEqual({ name: 'strata-inference', version: '0.1.0', extensions: [] });
  });

  it('answers ModelReady for loaded and unloaded versions, NOT_FOUND for an unknown model', async () => {
    const [loaded, unloaded] = versions as [number, number];
    await expect(oip.call('modelReady', { name: MODEL, version: '' })).resolves.toEqual({ ready: true });
    await expect(oip.call('modelReady', { name: MODEL, version: String(loaded) })).resolves.toEqual({ ready: true });
    await expect(oip.call('modelReady', { name: MODEL, version: String(unloaded) })).resolves.toEqual({ ready: false });
    await expect(oip.call('modelReady', { name: MODEL, version: 'latest' })).resolves.toEqual({ ready: false });
    expect((await failureOf(oip.call('modelReady', { name: 'no-such-model', version: '' }))).code).toBe(status.NOT_FOUND);
  });

  it('describes the loaded model in ModelMetadata', async () => {
    const expected = {
      name: MODEL,
      versions: [String(versions[0])],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: ['-1', '3'] }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: ['-1', '1'] }],
    };
    const metadata = await oip.call<{ name: string; versions: string[]; platform: string; inputs: TensorMetadata[]; outputs: TensorMetadata[] }>('modelMetadata', { name: MODEL, version: '' });
    expect(metadata).toEqual(expected);
    await expect(oip.call('modelMetadata', { name: MODEL, version: String(versions[0]) })).resolves.toEqual(expected);
    expect((await failureOf(oip.call('modelMetadata', { name: MODEL, version: '999' }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(oip.call('modelMetadata', { name: 'no-such-model', version: '' }))).code).toBe(status.NOT_FOUND);
  });

  it('runs ModelInfer with typed contents, echoing the id and naming the served version', async () => {
    const response = await infer({ id: 'request-1', inputs: [features([[0.5, 1, 2], [2, 0, 0]])] });
    expect(response).toMatchObject({ modelName: MODEL, modelVersion: String(versions[0]), id: 'request-1' });
    const [probability] = response.outputs;
    expect(probability).toMatchObject({ name: 'probability', datatype: 'FP32', shape: ['2', '1'] });
    expect(probability?.contents.fp32Contents[0]).toBeCloseTo(sigmoid(0.5 + 1 - 2), 6);
    expect(probability?.contents.fp32Contents[1]).toBeCloseTo(sigmoid(2), 6);

    const pinned = await infer({ modelVersion: String(versions[0]), inputs: [features([[1, 0, 0]])], outputs: [{ name: 'probability' }] });
    expect(pinned.modelVersion).toBe(String(versions[0]));
    expect(pinned.outputs[0]?.contents.fp32Contents[0]).toBeCloseTo(sigmoid(1), 6);
  });

  it('runs ModelInfer with raw_input_contents (FP32 little-endian)', async () => {
    const values = [0.5, 1, 2, 3, -1, 0.25];
    const raw = Buffer.alloc(values.length * 4);
    values.forEach((value, index) => raw.writeFloatLE(value, index * 4));
    const response = await infer({ inputs: [{ name: 'features', datatype: 'FP32', shape: ['2', '3'] }], rawInputContents: [raw] });
    expect(response.modelVersion).toBe(String(versions[0]));
    expect(response.outputs[0]?.shape).toEqual(['2', '1']);
    expect(response.outputs[0]?.contents.fp32Contents[0]).toBeCloseTo(sigmoid(0.5 + 1 - 2), 6);
    expect(response.outputs[0]?.contents.fp32Contents[1]).toBeCloseTo(sigmoid(3 - 1 - 0.25), 6);
  });

  it('answers a wrong datatype or malformed input with INVALID_ARGUMENT naming the input', async () => {
    const wrongDatatype = await failureOf(infer({ inputs: [{ name: 'features', datatype: 'INT64', shape: ['1', '3'], contents: { int64Contents: ['1', '2', '3'] } }] }));
    expect(wrongDatatype.code).toBe(status.INVALID_ARGUMENT);
    expect(wrongDatatype.fieldViolations[0]?.field).toBe('inputs[features]');
    expect(wrongDatatype.details).toContain('expected FP32');

    const unknownDatatype = await failureOf(infer({ inputs: [{ name: 'features', datatype: 'FLOAT', shape: ['1', '3'], contents: { fp32Contents: [1, 2, 3] } }] }));
    expect(unknownDatatype.code).toBe(status.INVALID_ARGUMENT);
    expect(unknownDatatype.fieldViolations[0]?.field).toBe('inputs[features]');

    const shortRaw = await failureOf(infer({ inputs: [{ name: 'features', datatype: 'FP32', shape: ['1', '3'] }], rawInputContents: [Buffer.alloc(8)] }));
    expect(shortRaw.code).toBe(status.INVALID_ARGUMENT);
    expect(shortRaw.fieldViolations[0]?.field).toBe('inputs[features]');
  });

  it('answers an unknown model or version with NOT_FOUND, and serves a registered version no alias points at', async () => {
    expect((await failureOf(oip.call('modelInfer', { modelName: 'no-such-model', inputs: [features([[1, 2, 3]])] }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(infer({ modelVersion: '999', inputs: [features([[1, 2, 3]])] }))).code).toBe(status.NOT_FOUND);
    expect(await infer({ modelVersion: String(versions[1]), inputs: [features([[1, 2, 3]])] })).toMatchObject({ modelVersion: String(versions[1]) });
    expect((await failureOf(infer({ modelVersion: 'latest', inputs: [features([[1, 2, 3]])] }))).code).toBe(status.NOT_FOUND);
  });
});

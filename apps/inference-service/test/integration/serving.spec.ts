import { type ClientUnaryCall, Metadata, status } from '@grpc/grpc-js';
import { GrpcHealthProbe } from '@strata/service-runtime';
import { createHash } from 'node:crypto';
import { aLinearModel, failureOf, GrpcTestClient, startTestService, TestRegistry, type TestService } from '@strata/testing';
import { inferenceService } from '../../src/bootstrap';

// inference-service in this process (real gRPC socket, PGlite) serving what a real
// registry-service process releases: alias moves are loaded, warmed and swapped in while
// requests keep flowing.

jest.setTimeout(240_000);

let registry: TestRegistry;
let inference: TestService;
let client: GrpcTestClient;

interface WireResponse {
  modelName: string;
  modelVersion: number;
  alias: string;
  outputs: { name: string; shape: string[]; contents: { fp32Contents: number[] } }[];
}

const register = (k: number): Promise<number> => registry.register('delays', aLinearModel(k));
const setAlias = (alias: string, version: number): Promise<unknown> => registry.setAlias('delays', alias, version);
const predict = (model: object, rows: number[][] = [[0.5, 1, 2]], routingKey = ''): Promise<WireResponse> =>
  client.call('predict', { model: { name: 'delays', ...model }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: [String(rows.length), String(rows[0]?.length ?? 0)], contents: { fp32Contents: rows.flat() } }], routingKey });

async function untilServed(model: object, version: number): Promise<void> {
  for (;;) {
    const served = await predict(model).then(
      (response) => response.modelVersion,
      () => 0,
    );
    if (served === version) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until inference has applied the registry's release revision (events apply in order). */
async function untilReleaseRevision(revision: number): Promise<void> {
  for (;;) {
    const { status: current } = await client.call<{ status: { releaseRevision: string } }>('getModelStatus', { modelName: 'delays' });
    if (Number(current.releaseRevision) >= revision) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  registry = await TestRegistry.start();
  await registry.createModel('delays');
  inference = await startTestService(inferenceService, 'pglite', { REGISTRY_ADDRESS: registry.grpcAddress });
  client = new GrpcTestClient('inferenceV1', 'InferenceService', inference.grpcAddress);
});

afterAll(async () => {
  client?.close();
  await inference?.stop();
  await registry?.stop();
});

describe('serving released models', () => {
  let versions: number[];

  it('serves the production alias once released, with the model\'s own numbers', async () => {
    versions = [await register(1), await register(2), await register(3)];
    await setAlias('production', versions[0] as number);
    await untilServed({ alias: 'production' }, versions[0] as number);
    const response = await predict({ alias: 'production' }, [[0.5, 1, 2], [2, 0, 0]]);
    expect(response).toMatchObject({ modelName: 'delays', modelVersion: versions[0], alias: 'production' });
    const [probability] = response.outputs;
    expect(probability?.name).toBe('probability');
    expect(probability?.shape).toEqual(['2', '1']);
    const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
    expect(probability?.contents.fp32Contents[0]).toBeCloseTo(sigmoid(0.5 + 1 - 2), 6);
    expect(probability?.contents.fp32Contents[1]).toBeCloseTo(sigmoid(2), 6);
  });

  it('swaps versions 100 times under a steady load of concurrent requests without a failed request', async () => {
    let stop = false;
    let failed = 0;
    let served = 0;
    const load = async (): Promise<void> => {
      while (!stop) {
        await predict({}).then(
          () => (served += 1),
          () => (failed += 1),
        );
      }
    };
    const clients = [load(), load(), load(), load()];
    for (let swap = 0; swap < 100; swap += 1) {
      const target = versions[(swap + 1) % versions.length] as number;
      await setAlias('production', target);
      await untilServed({ alias: 'production' }, target);
    }
    stop = true;
    await Promise.all(clients);
    expect(failed).toBe(0);
    expect(served).toBeGreaterThan(0);
  });

  it('splits traffic by the registry\'s policy, deterministic by routing key', async () => {
    await setAlias('production', versions[0] as number);
    await setAlias('canary', versions[1] as number);
    await untilServed({ alias: 'production' }, versions[0] as number);
    await untilServed({ alias: 'canary' }, versions[1] as number);
    await registry.setTrafficPolicy('delays', [{ alias: 'production', percent: 80 }, { alias: 'canary', percent: 20 }]);
    // The policy arrives through the release stream: wait until some key reaches the canary.
    for (let i = 0; ; i += 1) if ((await predict({}, undefined, `probe-${i % 50}`)).alias === 'canary') break;
    // 10,000 requests (in PredictBatch calls of 1,000), each routed by its own key.
    const answers: WireResponse[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const requests = Array.from({ length: 1000 }, (_, i) => ({ model: { name: 'delays' }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0.5, 1, 2] } }], routingKey: `user-${batch * 1000 + i}` }));
      const { results } = await client.call<{ results: { response: WireResponse }[] }>('predictBatch', { requests });
      answers.push(...results.map((result) => result.response));
    }
    const canary = answers.filter((answer) => answer.alias === 'canary').length;
    expect(Math.abs(canary / answers.length - 0.2)).toBeLessThan(0.03);
    expect(answers.every((answer) => answer.modelVersion === (answer.alias === 'canary' ? versions[1] : versions[0]))).toBe(true);
    const again = await predict({}, undefined, 'user-7');
    expect(again.alias).toBe(answers[7]?.alias);

    const { status: modelStatus } = await client.call<{ status: { ready: boolean; aliases: Record<string, number>; traffic: { alias: string; percent: number; version: number }[] } }>('getModelStatus', { modelName: 'delays' });
    expect(modelStatus.ready).toBe(true);
    expect(modelStatus.aliases).toEqual({ production: versions[0], canary: versions[1] });
    expect(modelStatus.traffic).toEqual([expect.objectContaining({ alias: 'production', percent: 80, version: versions[0] }), expect.objectContaining({ alias: 'canary', percent: 20, version: versions[1] })]);
  });

  it('mirrors requests to the shadow alias without changing a response, and compares the versions', async () => {
    await registry.setTrafficPolicy('delays', [{ alias: 'production', percent: 100 }], { alias: 'canary', percent: 100 });
    type Status = { status: { comparisons: { kind: string; candidateAlias: string; candidateVersion: number; primaryVersion: number; sampleCount: string; agreementRate?: number; meanAbsDiff?: number }[] } };
    const shadowOf = async (): Promise<Status['status']['comparisons'][number] | undefined> =>
      (await client.call<Status>('getModelStatus', { modelName: 'delays' })).status.comparisons.find((comparison) => comparison.kind === 'COMPARISON_KIND_SHADOW');
    for (let i = 0; (await shadowOf()) === undefined; i += 1) await predict({}, [[0.5, 1, 2]], `warm-${i}`);
    const rows = Array.from({ length: 50 }, (_, i) => [[i / 10, 1, 2]]);
    for (const [i, row] of rows.entries()) {
      const live = await predict({}, row, `shadowed-${i}`);
      const reference = await predict({ version: versions[0] }, row);
      expect(live).toMatchObject({ alias: 'production', modelVersion: versions[0] });
      expect(live.outputs).toEqual(reference.outputs); // the shadow (version k=2) never answers
    }
    let shadow = await shadowOf();
    while (Number(shadow?.sampleCount ?? 0) < 50) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      shadow = await shadowOf();
    }
    expect(shadow).toMatchObject({ candidateAlias: 'canary', candidateVersion: versions[1], primaryVersion: versions[0] });
    expect(shadow?.agreementRate).toBeGreaterThanOrEqual(0);
    expect(shadow?.agreementRate).toBeLessThanOrEqual(1);
    expect(shadow?.meanAbsDiff).toBeGreaterThan(0); // k=1 and k=2 differ wherever x0 != 0
    const metrics = await (await fetch(`${inference.httpUrl}/metrics`)).text();
    const mirrored = /^strata_comparison_copies\{outcome="mirrored"[^}]*\} (\d+)/m.exec(metrics);
    expect(Number(mirrored?.[1])).toBeGreaterThanOrEqual(50);
    await registry.setTrafficPolicy('delays', [{ alias: 'production', percent: 100 }]);
  });

  it('answers bad input, unknown models and versions with the right status', async () => {
    const wrongShape = await failureOf(predict({ alias: 'production' }, [[1, 2]]));
    expect(wrongShape.code).toBe(status.INVALID_ARGUMENT);
    expect(wrongShape.fieldViolations[0]?.field).toBe('inputs[features]');
    expect(wrongShape.details).toContain('expected FP32');
    const malformed = await failureOf(client.call('predict', { model: { name: 'delays' }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [1] } }] }));
    expect(malformed.code).toBe(status.INVALID_ARGUMENT);
    expect(malformed.fieldViolations[0]?.field).toBe('inputs[features]');
    expect((await failureOf(client.call('predict', { model: { name: 'nope' }, inputs: [] }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(predict({ version: 99 }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(predict({ alias: 'staging' }))).code).toBe(status.NOT_FOUND);
    const exact = await predict({ version: versions[1] });
    expect(exact).toMatchObject({ modelVersion: versions[1], alias: '' });
  });

  it('serves a pinned version no alias points at: loaded on demand, reported in GetModelStatus', async () => {
    const unaliased = versions[2] as number;
    const { status: before } = await client.call<{ status: { versions: { version: number }[] } }>('getModelStatus', { modelName: 'delays' });
    expect(before.versions.map((version) => version.version)).not.toContain(unaliased);
    const pinned = await predict({ version: unaliased }, [[1, 0, 0]]);
    expect(pinned).toMatchObject({ modelVersion: unaliased, alias: '' });
    expect(pinned.outputs[0]?.contents.fp32Contents[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6); // k = 3
    const { status: after } = await client.call<{ status: { versions: { version: number; aliases: string[]; state: string }[] } }>('getModelStatus', { modelName: 'delays' });
    expect(after.versions).toContainEqual(expect.objectContaining({ version: unaliased, aliases: [], state: 'MODEL_LOAD_STATE_READY' }));
  });

  it('refuses a version once it is ARCHIVED, pinned or not (FAILED_PRECONDITION naming the version and its status), and unloads the pin', async () => {
    const pinned = versions[2] as number; // loaded on demand by the test above
    const neverLoaded = await register(5);
    expect((await predict({ version: pinned })).modelVersion).toBe(pinned);

    await registry.setVersionStatus('delays', neverLoaded, 'VERSION_STATUS_ARCHIVED');
    const revision = await registry.setVersionStatus('delays', pinned, 'VERSION_STATUS_ARCHIVED');
    await untilReleaseRevision(revision);

    for (const version of [pinned, neverLoaded]) {
      const refused = await failureOf(predict({ version }));
      expect({ version, code: refused.code, details: refused.details }).toEqual({ version, code: status.FAILED_PRECONDITION, details: `delays version ${version} is ARCHIVED in the registry; archived versions are not served` });
      expect(refused.preconditionViolations).toEqual([expect.objectContaining({ type: 'VERSION_STATUS', subject: `delays:${version}` })]);
    }
    const { status: after } = await client.call<{ status: { versions: { version: number }[] } }>('getModelStatus', { modelName: 'delays' });
    expect(after.versions.map((version) => version.version)).not.toContain(pinned);
  });

  it('returns the served version in response metadata and timings in the message', async () => {
    const raw = client.raw as unknown as Record<string, (request: object, metadata: Metadata, options: object, callback: (error: Error | null, response?: WireResponse & { timings: Record<string, number> }) => void) => ClientUnaryCall>;
    let headers: Metadata | undefined;
    const response = await new Promise<WireResponse & { timings: Record<string, number> }>((resolve, reject) => {
      const call = raw['Predict']?.call(client.raw, { model: { name: 'delays', alias: 'production' }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0, 0, 0] } }] }, new Metadata(), {}, (error, answer) => (error ? reject(error) : resolve(answer as never)));
      call?.on('metadata', (metadata: Metadata) => (headers = metadata));
    });
    expect(headers?.get('strata-model-version')).toEqual([`delays:${response.modelVersion}`]);
    expect(response.timings.totalUs).toBeGreaterThanOrEqual(response.timings.inferenceUs);
    expect(response.timings.inferenceUs).toBeGreaterThan(0);
  });

  it('answers PredictBatch item by item: one bad request fails alone', async () => {
    const good = { model: { name: 'delays', alias: 'production' }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0, 0, 0] } }] };
    const { results } = await client.call<{ results: { response?: WireResponse; error?: { code: number; fieldViolations: { field: string }[] } }[] }>('predictBatch', {
      requests: [good, { ...good, inputs: [{ ...good.inputs[0], shape: ['1', '2'], contents: { fp32Contents: [0, 0] } }] }, { ...good, model: { name: 'nope' } }, good],
    });
    expect(results.map((result) => (result.response === undefined ? result.error?.code : 0))).toEqual([0, status.INVALID_ARGUMENT, status.NOT_FOUND, 0]);
    expect(results[1]?.error?.fieldViolations[0]?.field).toBe('inputs[features]');
    expect(results[0]?.response?.modelName).toBe('delays');
    expect((await failureOf(client.call('predictBatch', { requests: [] }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('reports SERVING on gRPC health once the production alias is loaded', async () => {
    const probe = new GrpcHealthProbe(inference.grpcAddress);
    try {
      expect(await probe.check()).toBe('SERVING');
      expect(await probe.check('strata.inference.v1.InferenceService')).toBe('SERVING');
    } finally {
      probe.close();
    }
  });

  it('refuses an artifact the registry stores corrupted (digest mismatch) and keeps serving the previous version', async () => {
    const bytes = aLinearModel(7);
    const corrupt = await register(7);
    registry.corruptArtifact(createHash('sha256').update(bytes).digest('hex'));
    const before = (await predict({ alias: 'production' })).modelVersion;
    await setAlias('production', corrupt);
    type Versions = { status: { versions: { version: number; state: string; lastLoadError: string }[]; aliases: Record<string, number> } };
    let status = (await client.call<Versions>('getModelStatus', { modelName: 'delays' })).status;
    while (!status.versions.some((version) => version.version === corrupt && version.state === 'MODEL_LOAD_STATE_FAILED')) {
      expect((await predict({ alias: 'production' })).modelVersion).toBe(before);
      status = (await client.call<Versions>('getModelStatus', { modelName: 'delays' })).status;
    }
    expect(status.versions.find((version) => version.version === corrupt)?.lastLoadError).toMatch(/^DIGEST_MISMATCH: /);
    expect(status.aliases['production']).toBe(before);
    expect((await predict({ alias: 'production' })).modelVersion).toBe(before);
  });
});

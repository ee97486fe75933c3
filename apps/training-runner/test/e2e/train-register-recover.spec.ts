import { createTestDatabase, type ServiceProcess, startServiceProcess, type TestDatabase } from '@strata/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bearer } from '@strata/testing';
import { buildServices, flightsJobSpec, REGISTRY_TOKEN, type RunningProcess, startFlightsFeatureService, startRegistry } from '../fixtures/platform';
import { TrainingTestClient } from '../fixtures/training-client';

// Every service as its own process, as deployed: feature-service and registry-service on
// PGlite, training-runner (built, worker threads from compiled JavaScript) on PostgreSQL so it
// can be killed with SIGKILL and restarted on the same database.

jest.setTimeout(400_000);

let builds: Awaited<ReturnType<typeof buildServices<'feature-service' | 'registry-service' | 'training-runner'>>>;
let features: RunningProcess;
let registry: RunningProcess;
let database: TestDatabase;
let dataDir: string;
let runner: ServiceProcess | undefined;
let client: TrainingTestClient | undefined;

async function startRunner(): Promise<TrainingTestClient> {
  runner = await startServiceProcess(builds['training-runner'], {
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    FEATURE_SERVICE_ADDRESS: features.process.grpcAddress,
    REGISTRY_ADDRESS: registry.process.grpcAddress,
    REGISTRY_TOKEN,
    // A short lease, so the job of a killed runner is re-queued quickly.
    JOB_LEASE: '2s',
  });
  client = new TrainingTestClient(runner.grpcAddress);
  return client;
}

beforeAll(async () => {
  builds = await buildServices('feature-service', 'registry-service', 'training-runner');
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'training-runner-e2e-'));
  [features, registry] = await Promise.all([startFlightsFeatureService(builds['feature-service']), startRegistry(builds['registry-service'])]);
});

afterAll(async () => {
  client?.close();
  await runner?.stop();
  await Promise.all([features?.stop(), registry?.stop()]);
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  await builds?.removeAll();
});

describe('training-runner end to end', () => {
  it('submits, snapshots, trains a GBDT, verifies and registers it: the registry version points at the snapshot digest', async () => {
    const training = await startRunner();
    const { job } = await training.submit(flightsJobSpec({ registerOnSuccess: true, modelName: 'flight-delay-e2e' }), 'e2e-gbdt');
    const done = await training.waitFor(job.id);
    expect(done).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', error: null });
    expect(done.registeredVersion).toBe(1);
    const { version } = await registry.client.call<{ version: { lineage: { trainingJobId: string; datasetSnapshotId: string; datasetSnapshotDigest: string }; artifact: { sha256: string } } }>(
      'getVersion',
      { model: { name: 'flight-delay-e2e', version: 1 } },
      bearer(REGISTRY_TOKEN),
    );
    expect(version.lineage).toMatchObject({ trainingJobId: job.id, datasetSnapshotId: done.datasetSnapshotId, datasetSnapshotDigest: done.datasetSnapshotDigest });
    expect(version.artifact.sha256).toBe(done.artifactSha256);
    expect(runner?.output()).toMatch(/training job .* succeeded/);
  });

  it('finishes a job whose runner was killed with SIGKILL mid-training: re-queued after the lease expires and completed after restart', async () => {
    const training = client ?? (await startRunner());
    const spec = flightsJobSpec({ trainer: 'TRAINER_MLP', gbdt: undefined, mlp: { hiddenLayers: [256, 256], epochs: 25, batchSize: 256 } });
    const { job } = await training.submit(spec, 'e2e-crash');
    // Kill once training has reported two epochs (of 25, each far longer than the watch's delivery delay).
    await new Promise<void>((resolve) => {
      void training.watch(job.id, { onEvent: (event) => (event.progress?.iteration ?? 0) >= 2 && resolve() }).catch(() => undefined);
    });
    await (runner as ServiceProcess).killHard();
    training.close();

    const restarted = await startRunner();
    const done = await restarted.waitFor(job.id);
    expect(done).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', attempts: 2 });
    expect(done.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(runner?.output()).toMatch(/lost its worker \(lease expired\); re-queued/);
  });
});

import { status } from '@grpc/grpc-js';
import { createTestDatabase, failureOf, type ServiceProcess, startServiceProcess, startTestService, type TestDatabase, type TestEngine, type TestService } from '@strata/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { trainingRunner } from '../../src/bootstrap';
import { bearer } from '@strata/testing';
import { buildServices, flightsJobSpec, REGISTRY_TOKEN, type RunningProcess, startFlightsFeatureService, startRegistry } from '../fixtures/platform';
import { TrainingTestClient, type WireEvent } from '../fixtures/training-client';

// training-runner against real feature-service and registry-service processes (PGlite) holding
// the flights example, started once for the whole file (starting them and importing flights is
// most of the cost):
//   - in this process (real gRPC socket, real database) on PGlite and on PostgreSQL: every job
//     path that touches the database (claim, events, leases, cancel, idempotency, list) on both
//     engines; the checks that never reach the runner's database (spec validation, NOT_FOUND
//     from feature-service, seed determinism of the trainer, evaluation thresholds) once, on
//     PostgreSQL;
//   - end to end, every service as its own process, as deployed: training-runner built (worker
//     threads from compiled JavaScript) on PostgreSQL, so it can be killed with SIGKILL and
//     restarted on the same database.

jest.setTimeout(400_000);

let builds: Awaited<ReturnType<typeof buildServices<'feature-service' | 'registry-service' | 'training-runner'>>>;
let features: RunningProcess;
let registry: RunningProcess;

beforeAll(async () => {
  builds = await buildServices('feature-service', 'registry-service', 'training-runner');
  [features, registry] = await Promise.all([startFlightsFeatureService(builds['feature-service']), startRegistry(builds['registry-service'])]);
});

afterAll(async () => {
  await Promise.all([features?.stop(), registry?.stop()]);
  await builds?.removeAll();
});

/** The engine the tests run on whose proof does not depend on the runner's database. */
const ENGINE_AGNOSTIC_ON: TestEngine = 'postgres';

/** `it` on {@link ENGINE_AGNOSTIC_ON}; on the other engine the test is not registered at all. */
function engineAgnosticIt(engine: TestEngine): (name: string, test: () => Promise<void>) => void {
  return (name, test) => {
    if (engine === ENGINE_AGNOSTIC_ON) it(name, test);
  };
}

describe.each<TestEngine>(['pglite', 'postgres'])('training jobs on %s', (engine) => {
  let runner: TestService;
  let client: TrainingTestClient;
  const itEngineAgnostic = engineAgnosticIt(engine);

  beforeAll(async () => {
    runner = await startTestService(trainingRunner, engine, {
      FEATURE_SERVICE_ADDRESS: features.process.grpcAddress,
      REGISTRY_ADDRESS: registry.process.grpcAddress,
      REGISTRY_TOKEN,
      TRAINING_CONCURRENCY: '1',
      JOB_LEASE: '5s',
    });
    client = new TrainingTestClient(runner.grpcAddress);
  });

  afterAll(async () => {
    client?.close();
    await runner?.stop();
  });

  it('trains a GBDT on flights, verifies it with onnxruntime and registers it with lineage to the snapshot', async () => {
    const { job: submitted, created } = await client.submit(flightsJobSpec({ modelName: `flight-delay-${engine}`, registerOnSuccess: true, codeVersion: 'test-sha' }), `gbdt-${engine}`);
    expect(created).toBe(true);
    expect(submitted.status).toBe('JOB_STATUS_QUEUED');
    const events = await client.watch(submitted.id, { afterSequence: 0, includeLogs: true });

    const job = (events.at(-1)?.statusChanged?.job ?? (await client.getJob(submitted.id)));
    expect(job).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', attempts: 1, error: null, registrationSkippedReason: '' });
    expect(job.datasetSnapshotDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(job.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    const counts = job.splitCounts as NonNullable<typeof job.splitCounts>;
    expect(Number(counts.trainRows) + Number(counts.validationRows) + Number(counts.testRows)).toBe(2000);
    expect(Number(counts.testRows)).toBeGreaterThan(0);
    expect(Object.keys(job.metrics).sort()).toEqual(['accuracy', 'auc', 'log_loss', 'precision', 'recall']);
    expect(job.params).toMatchObject({ num_trees: '20', max_depth: '4' });

    // The stream: status changes in order, one progress event per boosting round, log lines.
    // The first event is the job's current status (it may already be running); the stream ends at the terminal one.
    const statuses = events.filter((event) => event.statusChanged !== undefined).map((event) => event.statusChanged?.status);
    expect(statuses.slice(-2)).toEqual(['JOB_STATUS_RUNNING', 'JOB_STATUS_SUCCEEDED']);
    const rounds = events.filter((event): event is WireEvent & { progress: NonNullable<WireEvent['progress']> } => event.progress !== undefined);
    expect(rounds.length).toBeGreaterThan(0);
    expect(rounds.map((event) => event.progress.iteration)).toEqual(rounds.map((_, index) => index + 1));
    expect(rounds.every((event) => Number.isFinite(event.progress.loss) && event.progress.validationLoss !== undefined)).toBe(true);
    expect(events.some((event) => event.log?.message.includes('parity'))).toBe(true);
    const sequences = events.slice(1).map((event) => Number(event.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));

    // Resuming after the first stored event replays the rest: QUEUED was event 1.
    const replayed = await client.watch(submitted.id, { afterSequence: 1 });
    expect(replayed[0]?.statusChanged?.status).toBe('JOB_STATUS_SUCCEEDED');
    expect(replayed.slice(1).filter((event) => event.statusChanged !== undefined).map((event) => event.statusChanged?.status)).toEqual(['JOB_STATUS_RUNNING', 'JOB_STATUS_SUCCEEDED']);
    expect(replayed.filter((event) => event.progress !== undefined)).toHaveLength(rounds.length);
    expect(replayed.some((event) => event.log !== undefined)).toBe(false);

    // The registry has the version, with lineage pointing at the snapshot and the job.
    expect(job.registeredVersion).toBeGreaterThanOrEqual(1);
    const { version } = await registry.client.call<{ version: { lineage: { trainingJobId: string; datasetSnapshotDigest: string; codeVersion: string; featureContracts: { featureSet: { name: string } }[] }; artifact: { sha256: string }; metrics: Record<string, number> } }>(
      'getVersion',
      { model: { name: `flight-delay-${engine}`, version: job.registeredVersion } },
      bearer(REGISTRY_TOKEN),
    );
    expect(version.lineage).toMatchObject({ trainingJobId: job.id, datasetSnapshotDigest: job.datasetSnapshotDigest, codeVersion: 'test-sha' });
    expect(version.lineage.featureContracts.map((contract) => contract.featureSet.name)).toEqual(['route_stats']);
    expect(version.artifact.sha256).toBe(job.artifactSha256);
    expect(version.metrics['auc']).toBeCloseTo(job.metrics['auc'] as number, 12);
  });

  itEngineAgnostic('trains byte-identical models from the same spec, snapshot and seed, and different ones from another seed', async () => {
    const first = await client.waitFor((await client.submit(flightsJobSpec({ seed: 11, gbdt: { numTrees: 10, maxDepth: 3, subsample: 0.7 } }))).job.id);
    const second = await client.waitFor((await client.submit(flightsJobSpec({ seed: 11, gbdt: { numTrees: 10, maxDepth: 3, subsample: 0.7 } }))).job.id);
    const other = await client.waitFor((await client.submit(flightsJobSpec({ seed: 12, gbdt: { numTrees: 10, maxDepth: 3, subsample: 0.7 } }))).job.id);
    expect([first.status, second.status, other.status]).toEqual(['JOB_STATUS_SUCCEEDED', 'JOB_STATUS_SUCCEEDED', 'JOB_STATUS_SUCCEEDED']);
    expect(second.datasetSnapshotDigest).toBe(first.datasetSnapshotDigest);
    expect(second.artifactSha256).toBe(first.artifactSha256);
    expect(other.artifactSha256).not.toBe(first.artifactSha256);
    // TRAINING_CONCURRENCY=1: each job started after the previous one finished.
    expect(Number(second.startedAt?.seconds) * 1e9 + (second.startedAt?.nanos ?? 0)).toBeGreaterThanOrEqual(Number(first.finishedAt?.seconds) * 1e9 + (first.finishedAt?.nanos ?? 0));
    expect(Number(other.startedAt?.seconds) * 1e9 + (other.startedAt?.nanos ?? 0)).toBeGreaterThanOrEqual(Number(second.finishedAt?.seconds) * 1e9 + (second.finishedAt?.nanos ?? 0));
  });

  it('returns the existing job for a repeated idempotency key and refuses the key with another spec', async () => {
    const spec = flightsJobSpec({ seed: 3, gbdt: { numTrees: 5, maxDepth: 2 } });
    const first = await client.submit(spec, `idem-${engine}`);
    const again = await client.submit(spec, `idem-${engine}`);
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    const conflict = await failureOf(client.submit(flightsJobSpec({ seed: 4 }), `idem-${engine}`));
    expect(conflict.code).toBe(status.ALREADY_EXISTS);
    await client.waitFor(first.job.id);
  });

  itEngineAgnostic('refuses a bad spec with INVALID_ARGUMENT naming every bad field', async () => {
    const bad = flightsJobSpec({
      modelName: 'Flight Delay',
      gbdt: { maxDepth: 99 },
      evaluation: { metrics: ['auc', 'rmse'] },
      dataset: { featureSets: [{ name: 'route_stats', version: 0 }], label: { source: 'flights', field: 'delay >' }, timeRange: null, split: null, features: ['other.x'] },
    });
    const failure = await failureOf(client.submit(bad));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.fieldViolations.map((violation) => violation.field).sort()).toEqual(
      [
        'spec.dataset.feature_sets[0].version',
        'spec.dataset.features[0]',
        'spec.dataset.label.field',
        'spec.dataset.split',
        'spec.dataset.time_range.end',
        'spec.dataset.time_range.start',
        'spec.evaluation.metrics[1]',
        'spec.gbdt.max_depth',
        'spec.model_name',
      ].sort(),
    );
    const mismatch = await failureOf(client.submit(flightsJobSpec({ trainer: 'TRAINER_LOGISTIC_REGRESSION' })));
    expect(mismatch.fieldViolations.map((violation) => violation.field)).toContain('spec.gbdt');
  });

  itEngineAgnostic('answers NOT_FOUND at submit time for a feature set version or label source that does not exist', async () => {
    const spec = flightsJobSpec();
    const dataset = spec['dataset'] as Record<string, unknown>;
    const failure = await failureOf(client.submit({ ...spec, dataset: { ...dataset, featureSets: [{ name: 'route_stats', version: 9 }], features: [] } }));
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.details).toContain('route_stats version 9');
    const noSource = await failureOf(client.submit({ ...spec, dataset: { ...dataset, label: { source: 'trains', field: 'delay > 15' } } }));
    expect(noSource.details).toContain('source trains');
  });

  it('cancels a running job at its next iteration and a queued job at once', async () => {
    const long = flightsJobSpec({ trainer: 'TRAINER_MLP', gbdt: undefined, mlp: { hiddenLayers: [256, 256], epochs: 10_000, batchSize: 32 } });
    const running = (await client.submit(long)).job;
    const queued = (await client.submit(long)).job;
    await client.waitFor(running.id, (job) => job.status === 'JOB_STATUS_RUNNING' && job.splitCounts !== null);
    // Wait for training itself (not only the dataset build) to report progress.
    await new Promise<void>((resolve, reject) => {
      void client.watch(running.id, { onEvent: (event) => event.progress !== undefined && resolve() }).catch(reject);
    });
    const cancelledQueued = (await client.call<{ job: { status: string } }>('cancelJob', { id: queued.id, reason: 'not needed' })).job;
    expect(cancelledQueued.status).toBe('JOB_STATUS_CANCELLED');
    const cancelling = (await client.call<{ job: { status: string } }>('cancelJob', { id: running.id })).job;
    expect(['JOB_STATUS_CANCELLING', 'JOB_STATUS_CANCELLED']).toContain(cancelling.status);
    const done = await client.waitFor(running.id);
    expect(done.status).toBe('JOB_STATUS_CANCELLED');
    expect(done.artifactSha256).toBe('');
    const again = await client.call<{ job: { status: string } }>('cancelJob', { id: running.id });
    expect(again.job.status).toBe('JOB_STATUS_CANCELLED');
  });

  it('keeps answering calls while a GBDT with thousands of fast rounds streams progress, and cancels it', async () => {
    const fast = flightsJobSpec({ gbdt: { numTrees: 100_000, maxDepth: 2, learningRate: 0.001 } });
    const { job } = await client.submit(fast);
    let rounds = 0;
    const watched = client.watch(job.id, { onEvent: (event) => (rounds = Math.max(rounds, event.progress?.iteration ?? 0)) });
    await client.waitFor(job.id, () => rounds >= 1000);
    // Training runs on a worker thread and progress is written in batches: the server answers.
    expect((await client.getJob(job.id)).status).toBe('JOB_STATUS_RUNNING');
    await client.call('cancelJob', { id: job.id });
    const events = await watched;
    expect(events.at(-1)?.statusChanged?.status).toBe('JOB_STATUS_CANCELLED');
    const iterations = events.flatMap((event) => (event.progress === undefined ? [] : [event.progress.iteration]));
    expect(iterations).toEqual(iterations.map((_, index) => (iterations[0] as number) + index));
    // Watching a finished job after its last event ends at once.
    const last = Number(events.at(-1)?.sequence);
    expect(await client.watch(job.id, { afterSequence: last + 10 })).toHaveLength(1);
  });

  itEngineAgnostic('skips registration when the evaluation thresholds fail', async () => {
    const spec = flightsJobSpec({ registerOnSuccess: true, gbdt: { numTrees: 3, maxDepth: 2 }, evaluation: { thresholds: [{ metric: 'auc', min: 0.999 }] } });
    const job = await client.waitFor((await client.submit(spec)).job.id);
    expect(job).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', registeredVersion: 0, registrationSkippedReason: 'evaluation thresholds not met' });
    expect(job.evaluation).toMatchObject({ passed: false, thresholds: [{ threshold: { metric: 'auc' }, passed: false }] });
  });

  it('lists jobs newest first, filtered by status and model', async () => {
    const { jobs } = await client.call<{ jobs: { id: string; status: string }[] }>('listJobs', { status: 'JOB_STATUS_CANCELLED', modelName: 'flight-delay' });
    expect(jobs.length).toBe(3);
    expect(jobs.every((job) => job.status === 'JOB_STATUS_CANCELLED')).toBe(true);
    const unknown = await failureOf(client.getJob('00000000-0000-7000-8000-000000000000'));
    expect(unknown.code).toBe(status.NOT_FOUND);
  });
});

describe('training-runner end to end', () => {
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
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'training-runner-e2e-'));
  });

  afterAll(async () => {
    client?.close();
    await runner?.stop();
    await database?.drop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

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

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CliRun, jsonError, jsonOut } from './support/run-cli';
import { runCliBuild, startTrainingPlatform, type TrainingPlatform } from './support/training-process';

// `strata train` through the built CLI against a real training-runner process, which builds its
// training sets at a real feature-service process holding the flights example (route_stats v1
// over vega-datasets' flights-2k): list, an invalid spec, submit --watch of a small GBDT job,
// get, idempotent resubmission, cancel (refused and accepted), watch replays, --json output.

interface JobJson {
  id: string;
  status: string;
  createdAt: string;
  spec: Record<string, unknown> & { gbdt: { numTrees: number }; dataset: { timeRange: { end: string } } };
  splitCounts: { trainRows: string; validationRows: string; testRows: string };
  metrics: Record<string, number>;
  artifactSha256: string;
  error: { code: string; message: string } | null;
}
interface ErrorJson {
  status: string;
  exitCode: number;
  fieldViolations: { field: string; description: string }[];
  preconditionViolations: { type: string; subject: string; description: string }[];
}

const seconds = (iso: string): { seconds: string } => ({ seconds: String(Date.parse(iso) / 1000) });

/** A flights GBDT JobSpec in proto-loader JSON: delay > 15 min from route stats, distance and hour; time split. */
function aFlightsJobSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    modelName: 'flight-delay',
    trainer: 'TRAINER_GBDT',
    task: 'TASK_BINARY_CLASSIFICATION',
    gbdt: { numTrees: 5, maxDepth: 3, learningRate: 0.3, minSamplesLeaf: 10 },
    dataset: {
      featureSets: [{ name: 'route_stats', version: 1 }],
      label: { source: 'flights', field: 'delay > 15' },
      // One Timestamp as {seconds}, the others as RFC 3339 text: the CLI accepts both.
      timeRange: { start: seconds('2001-01-01T00:00:00Z'), end: '2001-04-01T00:00:00Z' },
      split: { time: { validationStart: '2001-03-01T00:00:00Z', testStart: '2001-03-15T00:00:00Z' } },
      features: ['route_stats.flights_7d', 'route_stats.avg_delay_7d', 'route_stats.avg_distance', 'distance', 'hour_of_day'],
    },
    seed: 7,
    ...overrides,
  };
}

describe('strata train against the built training-runner', () => {
  let platform: TrainingPlatform;
  let workDir: string;
  let finishedJobId = '';

  const strata = (...args: string[]): Promise<CliRun> => platform.strata(...args);
  const expectExit = (run: CliRun, code: number): void => {
    if (run.code !== code) throw new Error(`expected exit ${code}, got ${String(run.code)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\n${platform.output()}`);
  };
  const specFile = (name: string, content: unknown): string => {
    const file = path.join(workDir, name);
    writeFileSync(file, JSON.stringify(content, null, 2));
    return file;
  };

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'strata-cli-train-'));
    platform = await startTrainingPlatform();
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('lists no jobs when the runner is empty, as text and as JSON', async () => {
    const text = await strata('train', 'list');
    expectExit(text, 0);
    expect(text.stdout).toBe('(no training jobs)\n');
    const json = await strata('train', 'list', '--json');
    expectExit(json, 0);
    expect(jsonOut(json)).toEqual({ jobs: [] });
  }, 30_000);

  it('prints every bad field and exits 7 when the runner refuses the spec', async () => {
    const file = specFile('invalid.json', aFlightsJobSpec({ modelName: 'Not A Name', gbdt: { numTrees: -1 }, dataset: { ...(aFlightsJobSpec()['dataset'] as object), split: null } }));
    const text = await strata('train', 'submit', file);
    expectExit(text, 7);
    expect(text.stderr).toContain('strata: INVALID_ARGUMENT: invalid job spec');
    expect(text.stderr).toContain('  field spec.model_name: ');
    expect(text.stderr).toContain('  field spec.gbdt.num_trees: ');
    expect(text.stderr).toContain('  field spec.dataset.split: ');

    const json = await strata('train', 'submit', file, '--json');
    expectExit(json, 7);
    const error = jsonError(json) as unknown as ErrorJson;
    expect(error).toMatchObject({ status: 'INVALID_ARGUMENT', exitCode: 7 });
    expect(error.fieldViolations.map((violation) => violation.field)).toEqual(expect.arrayContaining(['spec.model_name', 'spec.gbdt.num_trees', 'spec.dataset.split']));
  }, 30_000);

  it('exits 2 naming each field when the spec file has an unknown key, a misspelt enum or a bad time', async () => {
    const spec = aFlightsJobSpec({ trainer: 'TRAINER_GBTD', gbdt: { numTree: 5 }, seed: 'seven' });
    (spec['dataset'] as { timeRange: { end: string } }).timeRange.end = 'next tuesday';
    const run = await strata('train', 'submit', specFile('malformed.json', spec));
    expectExit(run, 2);
    expect(run.stderr).toContain('is not a valid JobSpec');
    expect(run.stderr).toContain('  trainer: must be one of TRAINER_LOGISTIC_REGRESSION, TRAINER_GBDT, TRAINER_MLP, TRAINER_CONTAINER; got "TRAINER_GBTD"');
    expect(run.stderr).toContain('  gbdt.numTree: unknown field of GbdtParams');
    expect(run.stderr).toContain('  seed: must be a whole number');
    expect(run.stderr).toContain('  dataset.timeRange.end: expected an ISO time');
  }, 30_000);

  it('trains a 5-tree GBDT job with --watch to SUCCEEDED: progress on stderr, the result on stdout, exit 0', async () => {
    const run = await strata('train', 'submit', specFile('gbdt.json', aFlightsJobSpec()), '--watch', '--idempotency-key', 'cli-train-gbdt-1');
    expectExit(run, 0);
    expect(run.stderr).toMatch(/^submitted training job [0-9a-f-]{36}\ntraining job [0-9a-f]{8} queued\n/);
    expect(run.stderr).toMatch(/training job [0-9a-f]{8} running\n/);
    expect(run.stderr).toMatch(/ {2}iteration 1\/5 {2}loss \d\.\d+ {2}validation \d\.\d+\n/);
    expect(run.stderr).toMatch(/ {2}iteration 5\/5 {2}loss \d\.\d+ {2}validation \d\.\d+\ntraining job [0-9a-f]{8} succeeded\n$/);
    expect(run.stdout).toMatch(/^status: +succeeded$/m);
    expect(run.stdout).toMatch(/^metrics: +accuracy=0\.\d+, auc=0\.\d+, log_loss=0\.\d+/m);
    expect(run.stdout).toMatch(/^artifact: +sha256 [0-9a-f]{12}… \(\d+(\.\d)? (B|KiB)\)$/m);
    expect(run.stdout).toMatch(/^rows: +train \d+, validation \d+, test \d+$/m);
    expect(run.stdout).toMatch(/^params: +.*num_trees=5/m);
    finishedJobId = /^job: +(\S+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(finishedJobId).toMatch(/^[0-9a-f-]{36}$/);
  }, 120_000);

  it('shows the finished job with get, as text and as proto3 JSON', async () => {
    const text = await strata('train', 'get', finishedJobId);
    expectExit(text, 0);
    expect(text.stdout).toContain(`job:`);
    expect(text.stdout).toMatch(/^model: +flight-delay$/m);
    expect(text.stdout).toMatch(/^trainer: +gbdt, binary classification$/m);
    expect(text.stdout).toMatch(/^idempotency key: +cli-train-gbdt-1$/m);

    const json = await strata('train', 'get', finishedJobId, '--json');
    expectExit(json, 0);
    const { job } = jsonOut<{ job: JobJson }>(json);
    expect(job).toMatchObject({ id: finishedJobId, status: 'JOB_STATUS_SUCCEEDED', error: null, spec: { gbdt: { numTrees: 5 }, dataset: { timeRange: { end: '2001-04-01T00:00:00.000Z' } } } });
    expect(job.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(job.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(job.metrics['auc']).toBeGreaterThan(0);
    expect(job.splitCounts.testRows).toMatch(/^[1-9]\d*$/);
    expect(job.spec).not.toHaveProperty('hyperparameters');

    const missing = await strata('train', 'get', '00000000-0000-4000-8000-000000000000');
    expectExit(missing, 3);
  }, 30_000);

  it('lists the job, filtered by status and model', async () => {
    const all = await strata('train', 'list', '--json');
    expectExit(all, 0);
    expect(jsonOut<{ jobs: JobJson[] }>(all).jobs.map((job) => job.id)).toEqual([finishedJobId]);
    const failed = await strata('train', 'list', '--status', 'failed', '--json');
    expect(jsonOut<{ jobs: JobJson[] }>(failed).jobs).toEqual([]);
    const otherModel = await strata('train', 'list', '--model', 'other-model', '--json');
    expect(jsonOut<{ jobs: JobJson[] }>(otherModel).jobs).toEqual([]);

    const table = await strata('train', 'list', '--status', 'succeeded', '--model', 'flight-delay');
    expectExit(table, 0);
    expect(table.stdout).toMatch(/^ID +STATUS +MODEL +TRAINER +CREATED +VERSION +ERROR$/m);
    expect(table.stdout).toMatch(new RegExp(`^${finishedJobId} +succeeded +flight-delay +gbdt +`, 'm'));
    expectExit(await strata('train', 'list', '--status', 'done'), 2);
  }, 30_000);

  it('returns the existing job for the same idempotency key and spec (created false)', async () => {
    const run = await strata('train', 'submit', specFile('gbdt-again.json', aFlightsJobSpec()), '--idempotency-key', 'cli-train-gbdt-1', '--json');
    expectExit(run, 0);
    expect(jsonOut(run)).toMatchObject({ job: { id: finishedJobId, status: 'JOB_STATUS_SUCCEEDED' }, created: false });
  }, 30_000);

  it('refuses to cancel a finished job with exit 4 and the reason', async () => {
    const text = await strata('train', 'cancel', finishedJobId);
    expectExit(text, 4);
    expect(text.stderr).toContain('strata: FAILED_PRECONDITION: ');
    expect(text.stderr).toContain(`  JOB_STATUS jobs/${finishedJobId}: the job is SUCCEEDED`);
    const json = await strata('train', 'cancel', finishedJobId, '--json');
    expect(jsonError(json)).toMatchObject({ status: 'FAILED_PRECONDITION', exitCode: 4 });
  }, 30_000);

  it('replays a finished job: watch --json prints its status then the job; --after 1 --logs replays the iterations and log lines', async () => {
    const json = await strata('train', 'watch', finishedJobId, '--json');
    expectExit(json, 0);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, { statusChanged?: { status: string }; id?: string }>);
    expect(lines).toHaveLength(2);
    expect(lines[0]?.['event']?.statusChanged?.status).toBe('JOB_STATUS_SUCCEEDED');
    expect(lines[1]?.['job']?.id).toBe(finishedJobId);

    const replay = await strata('train', 'watch', finishedJobId, '--after', '1', '--logs');
    expectExit(replay, 0);
    expect(replay.stderr).toMatch(/training job [0-9a-f]{8} running\n/);
    expect(replay.stderr).toMatch(/ {2}iteration 5\/5 {2}loss /);
    expect(replay.stderr).toMatch(/^ {2}\[info\] \S.*$/m);
    expect(replay.stderr).toMatch(/training job [0-9a-f]{8} succeeded\n$/);
    expect(replay.stdout).toMatch(/^status: +succeeded$/m);
  }, 30_000);

  it('cancels a running job; watch then exits 1 because the job was CANCELLED', async () => {
    // Wide layers make each epoch slow and the run far longer than the cancel takes to arrive;
    // the runner stops the trainer at the next epoch or terminates its thread.
    const long = aFlightsJobSpec({ modelName: 'flight-delay-long', trainer: 'TRAINER_MLP', gbdt: undefined, mlp: { hiddenLayers: [1024, 1024, 1024], epochs: 10_000, batchSize: 16 } });
    const submitted = await strata('train', 'submit', specFile('long.json', long), '--json');
    expectExit(submitted, 0);
    const { job } = jsonOut<{ job: JobJson; created: boolean }>(submitted);
    expect(job.status).toBe('JOB_STATUS_QUEUED');

    const cancelled = await strata('train', 'cancel', job.id, '--reason', 'cli test', '--json');
    expectExit(cancelled, 0);
    expect(['JOB_STATUS_CANCELLING', 'JOB_STATUS_CANCELLED']).toContain(jsonOut<{ job: JobJson }>(cancelled).job.status);

    const watched = await strata('train', 'watch', job.id);
    expectExit(watched, 1);
    expect(watched.stderr).toContain(`strata: training job ${job.id} was cancelled`);
    expect(watched.stdout).toMatch(/^status: +cancelled$/m);
  }, 60_000);

  it('says which service is unreachable and exits 8', async () => {
    const run = await runCliBuild(platform.cli, ['train', 'list'], { STRATA_TRAINING: '127.0.0.1:1' });
    expectExit(run, 8);
    expect(run.stderr).toContain('strata: UNAVAILABLE: training-runner at 127.0.0.1:1');
  }, 30_000);
});

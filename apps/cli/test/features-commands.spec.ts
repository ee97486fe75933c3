import { status } from '@grpc/grpc-js';
import type { featuresV1 } from '@strata/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../src/exit-codes';
import type { FeatureApi } from '../src/feature-client';
import { FEATURE_METHODS } from '../src/feature-client';
import { runCli } from '../src/program';
import type { ConnectionOptions } from '../src/registry-client';
import { fakeCli, fakeRegistry, grpcError } from './support/fake-cli';

// The feature-store commands end to end inside the process, against a fake FeatureApi: what
// they send, print and exit with (no network).
const T0 = { seconds: '978566400', nanos: 0 };
const at = (seconds: number): { seconds: string; nanos: number } => ({ seconds: String(978566400 + seconds), nanos: 0 });

function fakeFeatures(overrides: Partial<FeatureApi> = {}): FeatureApi {
  const base = Object.fromEntries(FEATURE_METHODS.map((name) => [name, () => Promise.reject(grpcError(status.UNIMPLEMENTED, `${name} is not faked`))]));
  return { ...(base as unknown as FeatureApi), close: () => undefined, ...overrides };
}

function aJob(overrides: Partial<featuresV1.Job> = {}): featuresV1.Job {
  return {
    id: 'job-1',
    kind: 'JOB_KIND_IMPORT' as featuresV1.JobKind,
    status: 'JOB_STATUS_PENDING' as featuresV1.JobStatus,
    importFile: { source: 'flights', path: 'flights-2k.json', format: 'FILE_FORMAT_JSON' as featuresV1.FileFormat },
    counters: { rowsRead: '0', rowsAccepted: '0', rowsRejected: '0', valuesWritten: '0', rowsTotal: '0' },
    errorMessage: '',
    createdAt: T0,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

const counters = (read: number, accepted: number, rejected: number): featuresV1.JobCounters => ({
  rowsRead: String(read),
  rowsAccepted: String(accepted),
  rowsRejected: String(rejected),
  valuesWritten: '0',
  rowsTotal: '2000',
});

/** A getJob that answers the given states one after the other (the last one forever). */
function jobStates(...states: featuresV1.Job[]): { getJob: FeatureApi['getJob']; calls: featuresV1.GetJobRequest[] } {
  const calls: featuresV1.GetJobRequest[] = [];
  return {
    calls,
    getJob: (request) => {
      calls.push(request);
      return Promise.resolve({ job: states[Math.min(calls.length - 1, states.length - 1)] ?? null });
    },
  };
}

async function run(args: string[], features: FeatureApi, options: { env?: NodeJS.ProcessEnv; stderrIsTTY?: boolean; onStart?: (interrupt: () => void) => void } = {}) {
  const cli = fakeCli(fakeRegistry(), options);
  const connections: ConnectionOptions[] = [];
  options.onStart?.(() => cli.interrupt());
  const code = await runCli(args, {
    ...cli.deps,
    connectFeatures: (connection) => {
      connections.push(connection);
      return features;
    },
  });
  return { code, stdout: cli.stdout.text, stderr: cli.stderr.text, connections, registryConnections: cli.connections };
}

describe('strata feature-store commands', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'strata-cli-features-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reaches feature-service at --features, else STRATA_FEATURES, else 127.0.0.1:50051, never the registry', async () => {
    const api = fakeFeatures({ listSources: () => Promise.resolve({ sources: [], page: { nextPageToken: '' } }) });
    expect((await run(['sources', 'list'], api)).connections).toEqual([{ address: '127.0.0.1:50051', token: undefined, timeoutMs: 30_000 }]);
    expect((await run(['sources', 'list'], api, { env: { STRATA_FEATURES: 'features:9000' } })).connections[0]?.address).toBe('features:9000');
    const flagged = await run(['sources', 'list', '--features', 'other:1', '--timeout', '2s'], api, { env: { STRATA_FEATURES: 'features:9000' } });
    expect(flagged.connections[0]).toMatchObject({ address: 'other:1', timeoutMs: 2_000 });
    expect(flagged.registryConnections).toEqual([]);
    expect(flagged.stdout).toBe('(no sources)\n');
  });

  it('applies a source from its spec file and reports whether it changed', async () => {
    const file = path.join(dir, 'flights.source.json');
    writeFileSync(file, JSON.stringify({ name: 'flights', entityKeyFields: ['origin'], eventTimeField: 'date', fields: [] }));
    const sent: featuresV1.ApplySourceRequest[] = [];
    const api = fakeFeatures({
      applySource: (request) => {
        sent.push(request);
        return Promise.resolve({ source: { spec: request.spec ?? null, version: 2, digest: 'sha256:abc', createdAt: T0, latestEventTime: null }, changed: false });
      },
    });
    const result = await run(['sources', 'apply', file], api);
    expect(result.code).toBe(ExitCode.Ok);
    expect(sent).toEqual([{ spec: { name: 'flights', entityKeyFields: ['origin'], eventTimeField: 'date', fields: [] } }]);
    expect(result.stdout).toMatch(/^unchanged: flights version 2 has this spec already\nsource: +flights\n/);
    const json = await run(['--json', 'sources', 'apply', file], api);
    expect(JSON.parse(json.stdout)).toMatchObject({ source: { version: 2, createdAt: '2001-01-04T00:00:00.000Z', latestEventTime: null }, changed: false });
    const unreadable = await run(['sources', 'apply', path.join(dir, 'nope.json')], api);
    expect(unreadable.code).toBe(ExitCode.Usage);
    expect(unreadable.stderr).toMatch(/^strata: sources apply: cannot read .*nope\.json: ENOENT/);
  });

  it('applies several feature sets in order after reading them all, and stops at the first refusal', async () => {
    const files = ['a', 'b'].map((name) => {
      const file = path.join(dir, `${name}.v1.json`);
      writeFileSync(file, JSON.stringify({ name, version: 1 }));
      return file;
    });
    const applied: string[] = [];
    const api = fakeFeatures({
      applyFeatureSet: (request) => {
        applied.push(request.spec?.name ?? '');
        if (request.spec?.name === 'b') return Promise.reject(grpcError(status.FAILED_PRECONDITION, 'feature set b version 1 exists with different content'));
        return Promise.resolve({ featureSet: { spec: { ...request.spec!, features: [] }, contractDigest: 'sha256:d1', createdAt: T0, materializedUntil: null }, created: true });
      },
    });
    const missing = await run(['feature-sets', 'apply', files[0]!, path.join(dir, 'missing.json')], api);
    expect(missing.code).toBe(ExitCode.Usage);
    expect(applied).toEqual([]);
    const refused = await run(['feature-sets', 'apply', ...files], api);
    expect(refused.code).toBe(ExitCode.GateFailed);
    expect(applied).toEqual(['a', 'b']);
    expect(refused.stderr).toBe('strata: FAILED_PRECONDITION: feature set b version 1 exists with different content\n');
    const ok = await run(['--json', 'feature-sets', 'apply', files[0]!], api);
    expect(JSON.parse(ok.stdout)).toEqual({ applied: [{ featureSet: { spec: { name: 'a', version: 1, features: [] }, contractDigest: 'sha256:d1', createdAt: '2001-01-04T00:00:00.000Z', materializedUntil: null }, created: true }] });
  });

  it('imports a file, shows progress on stderr while waiting and prints the summary with rejections by reason', async () => {
    const imports: featuresV1.ImportFileRequest[] = [];
    const running = aJob({ status: 'JOB_STATUS_RUNNING' as never, startedAt: T0, counters: counters(1000, 999, 1) });
    const done = aJob({ status: 'JOB_STATUS_SUCCEEDED' as never, startedAt: T0, finishedAt: at(2), counters: counters(2000, 1997, 3) });
    const states = jobStates(running, done);
    const reasons: featuresV1.RejectionReason[] = ['REJECTION_REASON_OUT_OF_RANGE', 'REJECTION_REASON_OUT_OF_RANGE', 'REJECTION_REASON_TOO_LONG'] as never;
    const api = fakeFeatures({
      importFile: (request) => {
        imports.push(request);
        return Promise.resolve({ job: aJob() });
      },
      getJob: states.getJob,
      listQuarantine: (request) =>
        Promise.resolve({
          rows: request.jobId === 'job-1' ? reasons.map((reason, i) => ({ id: `q${i}`, source: 'flights', sourceVersion: 1, rejection: { rowIndex: String(i), eventId: '', reason, field: 'delay', message: '' }, fields: {}, raw: '', jobId: 'job-1', quarantinedAt: T0, replayAttempts: 0 })) : [],
          page: { nextPageToken: '' },
        }),
    });
    const result = await run(['import', 'flights', 'data/flights-2k.json', '--map', 'when=date', '--key', 'k1', '--poll-interval', '1ms'], api);
    expect(result.code).toBe(ExitCode.Ok);
    expect(imports).toEqual([{ source: 'flights', path: 'data/flights-2k.json', format: 'FILE_FORMAT_JSON', fieldMapping: { when: 'date' }, idempotencyKey: 'k1' }]);
    expect(states.calls).toEqual([{ id: 'job-1' }, { id: 'job-1' }]);
    // A CI log gets one line per status change.
    expect(result.stderr.split('\n')[0]).toBe('import job-1 pending: 0 rows read, 0 accepted, 0 rejected');
    expect(result.stderr).toMatch(/^import job-1 running: 1000\/2000 rows read \(50%\), 999 accepted, 1 rejected, \d+ rows\/s$/m);
    expect(result.stderr).toMatch(/^import job-1 succeeded: 2000\/2000 rows read \(100%\), 1997 accepted, 3 rejected, 1000 rows\/s$/m);
    expect(result.stdout).toBe(
      'import job-1 SUCCEEDED in 2.0s: 2000/2000 rows read (100%), 1997 accepted, 3 rejected (1000 rows/s)\n' +
        '  rejected by reason: out-of-range 2, too-long 1\n  see them with: strata quarantine list --job job-1\n',
    );
  });

  it('redraws the progress line in place on a terminal and stays silent with --json or --no-progress', async () => {
    const done = aJob({ status: 'JOB_STATUS_SUCCEEDED' as never, startedAt: T0, finishedAt: at(1), counters: counters(2000, 2000, 0) });
    const api = (): FeatureApi => fakeFeatures({ importFile: () => Promise.resolve({ job: aJob() }), getJob: jobStates(done).getJob });
    const tty = await run(['import', 'flights', 'f.json', '--poll-interval', '1ms'], api(), { stderrIsTTY: true });
    expect(tty.stderr).toBe('\rimport job-1 pending: 0 rows read, 0 accepted, 0 rejected\u001b[K\rimport job-1 succeeded: 2000/2000 rows read (100%), 2000 accepted, 0 rejected, 2000 rows/s\u001b[K\n');
    const json = await run(['--json', 'import', 'flights', 'f.json', '--poll-interval', '1ms'], api(), { stderrIsTTY: true });
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ job: { id: 'job-1', status: 'JOB_STATUS_SUCCEEDED', importFile: { source: 'flights' } } });
    expect(JSON.parse(json.stdout).job).not.toHaveProperty('params');
    expect((await run(['import', 'flights', 'f.json', '--no-progress', '--poll-interval', '1ms'], api())).stderr).toBe('');
  });

  it('exits 1 when the job fails, after printing it; --no-wait only starts it', async () => {
    const failed = aJob({ status: 'JOB_STATUS_FAILED' as never, startedAt: T0, finishedAt: at(1), errorMessage: 'file not readable' });
    const api = fakeFeatures({ importFile: () => Promise.resolve({ job: aJob() }), getJob: jobStates(failed).getJob });
    const result = await run(['--json', 'import', 'flights', 'f.json', '--poll-interval', '1ms'], api);
    expect(result.code).toBe(ExitCode.Failure);
    expect(JSON.parse(result.stdout)).toMatchObject({ job: { status: 'JOB_STATUS_FAILED', errorMessage: 'file not readable' } });
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { status: 'ERROR', message: 'import job job-1 failed: file not readable', exitCode: 1 } });

    const noWait = await run(['import', 'flights', 'f.json', '--no-wait'], fakeFeatures({ importFile: () => Promise.resolve({ job: aJob() }) }));
    expect(noWait.code).toBe(ExitCode.Ok);
    expect(noWait.stdout).toBe('started import job job-1: flights <- flights-2k.json (json)\n  follow it with: strata jobs get job-1 --wait\n');
  });

  it('stops waiting on Ctrl-C and says the job keeps running', async () => {
    const running = aJob({ status: 'JOB_STATUS_RUNNING' as never, startedAt: T0 });
    let interrupt = (): void => undefined;
    const api = fakeFeatures({
      materialize: () => Promise.resolve({ job: running }),
      getJob: () => {
        interrupt();
        return Promise.resolve({ job: running });
      },
    });
    const result = await run(['materialize', 'airport_delay_stats:1', '--poll-interval', '1ms', '--no-progress'], api, { onStart: (fire) => (interrupt = fire) });
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.stderr).toBe('strata: stopped waiting; import job job-1 keeps running on feature-service (strata jobs get job-1; strata jobs cancel job-1)\n');
  });

  it('materializes a pinned feature set version over a range', async () => {
    const sent: featuresV1.MaterializeRequest[] = [];
    const job = aJob({ kind: 'JOB_KIND_MATERIALIZE' as never, importFile: null, status: 'JOB_STATUS_SUCCEEDED' as never, startedAt: T0, finishedAt: at(1), counters: { ...counters(10, 0, 0), rowsTotal: '0', valuesWritten: '6' } });
    const api = fakeFeatures({
      materialize: (request) => {
        sent.push(request);
        return Promise.resolve({ job });
      },
    });
    const result = await run(['materialize', 'airport_delay_stats:1', '--start', '2001-01-01', '--end', '2001-01-08T00:00:00Z', '--offline-only'], api);
    expect(result.code).toBe(ExitCode.Ok);
    expect(sent).toEqual([{ featureSet: { name: 'airport_delay_stats', version: 1 }, start: { seconds: '978307200', nanos: 0 }, end: { seconds: '978912000', nanos: 0 }, offlineOnly: true }]);
    expect(result.stdout).toBe('materialize job-1 SUCCEEDED in 1.0s: 10 rows read, 6 values written (10 rows/s)\n');
    const unpinned = await run(['materialize', 'airport_delay_stats'], api);
    expect(unpinned.code).toBe(ExitCode.Usage);
    expect(unpinned.stderr).toBe('strata: feature set: give the version, e.g. airport_delay_stats:1 (this command pins a feature set version)\n');
  });

  it('serves features as a table and maps errors to exit codes', async () => {
    const sent: featuresV1.GetOnlineFeaturesRequest[] = [];
    const api = fakeFeatures({
      getOnlineFeatures: (request) => {
        sent.push(request);
        if (request.featureSet?.version === 9) return Promise.reject(grpcError(status.NOT_FOUND, 'feature set airport_delay_stats has no version 9'));
        return Promise.resolve({
          contract: { featureSet: request.featureSet ?? null, digest: 'sha256:d1' },
          entities: request.entityIds.map((entityId) => ({ entityId, features: [{ name: 'flights_1d', value: { int64Value: '3' }, status: 'FEATURE_STATUS_PRESENT' as never, eventTime: T0 }] })),
          asOf: T0,
        });
      },
    });
    const result = await run(['features', 'get', 'airport_delay_stats:1', 'LAX', 'SFO', '--feature', 'flights_1d', '--as-of', '2001-01-04'], api);
    expect(result.code).toBe(ExitCode.Ok);
    expect(sent[0]).toEqual({ featureSet: { name: 'airport_delay_stats', version: 1 }, entityIds: ['LAX', 'SFO'], asOf: T0, maxStaleness: null, features: ['flights_1d'] });
    expect(result.stdout).toContain('LAX     flights_1d  3      PRESENT  2001-01-04T00:00:00Z\nSFO ');
    expect(result.stdout).toContain('contract: airport_delay_stats:1@sha256:d1\n');
    const missing = await run(['features', 'get', 'airport_delay_stats:9', 'LAX'], api);
    expect(missing.code).toBe(ExitCode.NotFound);
    expect(missing.stderr).toBe('strata: NOT_FOUND: feature set airport_delay_stats has no version 9\n');
    const noEntities = await run(['features', 'get', 'airport_delay_stats:1'], api);
    expect(noEntities.code).toBe(ExitCode.Usage);
  });

  it('refuses an impossible --as-of date with a usage error instead of evaluating at the day it rolls over to', async () => {
    const sent: featuresV1.GetOnlineFeaturesRequest[] = [];
    const api = fakeFeatures({
      getOnlineFeatures: (request) => {
        sent.push(request);
        return Promise.resolve({ contract: null, entities: [], asOf: null, valuesAsOf: null });
      },
    });

    const result = await run(['features', 'get', 'airport_delay_stats:1', 'LAX', '--as-of', '2001-02-30T00:00:00Z'], api);

    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toBe('strata: --as-of: "2001-02-30T00:00:00Z" is not a real time (February 2001 has 28 days)\n');
    expect(sent).toEqual([]);
    expect((await run(['materialize', 'airport_delay_stats:1', '--start', '2001-01-01', '--end', '2001-01-01T24:00:00Z'], api)).stderr).toBe('strata: --end: "2001-01-01T24:00:00Z" is not a real time (hour 24 is out of range 00-23)\n');
  });

  it('lists jobs and quarantined rows with their filters, and replays quarantine as a job', async () => {
    const listed: featuresV1.ListJobsRequest[] = [];
    const quarantine: featuresV1.ListQuarantineRequest[] = [];
    const replays: featuresV1.ReplayQuarantineRequest[] = [];
    const replay = aJob({ kind: 'JOB_KIND_REPLAY' as never, importFile: null, replay: { source: 'flights', selectedRows: '2' }, status: 'JOB_STATUS_SUCCEEDED' as never, startedAt: T0, finishedAt: at(1), counters: { ...counters(2, 2, 0), rowsTotal: '2' } });
    const api = fakeFeatures({
      listJobs: (request) => {
        listed.push(request);
        return Promise.resolve({ jobs: [replay], page: { nextPageToken: '' } });
      },
      listQuarantine: (request) => {
        quarantine.push(request);
        return Promise.resolve({ rows: [], page: { nextPageToken: '' } });
      },
      replayQuarantine: (request) => {
        replays.push(request);
        return Promise.resolve({ job: replay });
      },
    });
    const jobs = await run(['jobs', 'list', '--kind', 'replay', '--status', 'succeeded', '--limit', '5'], api);
    expect(jobs.code).toBe(ExitCode.Ok);
    expect(listed).toEqual([{ kind: 'JOB_KIND_REPLAY', status: 'JOB_STATUS_SUCCEEDED', source: '', featureSetName: '', page: { pageSize: 5, pageToken: '' } }]);
    expect(jobs.stdout).toMatch(/^ID +KIND +STATUS +SUBJECT +COUNTERS +CREATED +DURATION\njob-1 +replay +succeeded +flights \(2 quarantined rows\) +2\/2 rows read \(100%\), 2 accepted, 0 rejected +2001-01-04 00:00:00Z +1\.0s\n$/);
    expect((await run(['jobs', 'list', '--status', 'done'], api)).code).toBe(ExitCode.Usage);

    const rows = await run(['quarantine', 'list', '--source', 'flights', '--reason', 'out-of-range'], api);
    expect(rows.stdout).toBe('(no quarantined rows)\n');
    expect(quarantine).toEqual([{ source: 'flights', reason: 'REJECTION_REASON_OUT_OF_RANGE', jobId: '', page: { pageSize: 50, pageToken: '' } }]);

    const replayed = await run(['quarantine', 'replay', 'flights', '--row', 'q1', '--row', 'q2'], api);
    expect(replayed.code).toBe(ExitCode.Ok);
    expect(replays).toEqual([{ source: 'flights', rowIds: ['q1', 'q2'], reason: 'REJECTION_REASON_UNSPECIFIED' }]);
    expect(replayed.stdout).toBe('replay job-1 SUCCEEDED in 1.0s: 2/2 rows read (100%), 2 accepted, 0 rejected (2 rows/s)\n');
  });

  it('cancels a job; a finished one is a precondition failure (exit 4)', async () => {
    const api = fakeFeatures({
      cancelJob: (request) =>
        request.id === 'done'
          ? Promise.reject(grpcError(status.FAILED_PRECONDITION, 'job done already SUCCEEDED'))
          : Promise.resolve({ job: aJob({ id: request.id, status: 'JOB_STATUS_CANCELLED' as never }) }),
    });
    const cancelled = await run(['jobs', 'cancel', 'job-7'], api);
    expect(cancelled.code).toBe(ExitCode.Ok);
    expect(cancelled.stdout).toMatch(/^cancellation requested\njob: +job-7\nkind: +import\nstatus: +cancelled\n/);
    expect((await run(['jobs', 'cancel', 'done'], api)).code).toBe(ExitCode.GateFailed);
  });

  it('lists every page of feature sets', async () => {
    const requests: featuresV1.ListFeatureSetsRequest[] = [];
    const set = (name: string): featuresV1.FeatureSet => ({ spec: { name, version: 1, entity: { name: 'e', keyFields: [] }, source: { name: 'flights', version: 1 }, features: [], ttl: null, owner: 'ml', description: '', tags: {} }, contractDigest: 'sha256:0123456789abcdef', createdAt: T0, materializedUntil: null });
    const api = fakeFeatures({
      listFeatureSets: (request) => {
        requests.push(request);
        return Promise.resolve(request.page?.pageToken === '' ? { featureSets: [set('a')], page: { nextPageToken: 't2' } } : { featureSets: [set('b')], page: { nextPageToken: '' } });
      },
    });
    const result = await run(['feature-sets', 'list', '--latest', '--owner', 'ml'], api);
    expect(requests.map((r) => [r.latestOnly, r.owner, r.page?.pageToken])).toEqual([
      [true, 'ml', ''],
      [true, 'ml', 't2'],
    ]);
    expect(result.stdout).toBe(
      'NAME  VERSION  ENTITY  SOURCE     FEATURES  CONTRACT      MATERIALIZED UNTIL  OWNER\na     1        e       flights:1  0         0123456789ab  never               ml\nb     1        e       flights:1  0         0123456789ab  never               ml\n',
    );
  });
});

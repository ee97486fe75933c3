import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode } from '../src/exit-codes';
import { runCli } from '../src/program';
import { fakeCli, fakeRegistry } from './support/fake-cli';
import { ensureFeatureServiceBuilt, type FeatureProcess, startFeatureProcess } from './support/feature-process';
import { workspaceRoot } from './support/registry-process';

// The feature-store workflow an operator or CI drives through `strata`, against the real
// built feature-service (a child process on PGlite): apply the flights source and the
// airport_delay_stats feature set from examples/flights, import the vega-datasets flights-2k
// file, materialize, then serve features for two airports; plus a rejected row in quarantine.
const EXAMPLES = path.join(workspaceRoot, 'examples/flights');
const FLIGHTS_2K = path.join(path.dirname(require.resolve('vega-datasets')), '../data/flights-2k.json');
const END = '2001-04-01T00:00:00Z';

interface Flight {
  date: string;
  delay: number;
  origin: string;
}

/** Departures of `origin` in the 7 days before END, and how many were more than 15 minutes late. */
function lastWeek(origin: string): { flights: number; delayed: number } {
  const flights = (require(FLIGHTS_2K) as Flight[]).filter((f) => {
    const ms = Date.parse(`${f.date.replace(/\//g, '-').replace(' ', 'T')}:00Z`);
    return f.origin === origin && ms >= Date.parse(END) - 7 * 86_400_000 && ms < Date.parse(END);
  });
  return { flights: flights.length, delayed: flights.filter((f) => f.delay > 15).length };
}

interface JobJson {
  job: { id: string; kind: string; status: string; counters: { rowsRead: string; rowsAccepted: string; rowsRejected: string; valuesWritten: string } };
}
interface FeatureValueJson {
  name: string;
  value: Record<string, unknown>;
  status: string;
  eventTime: string | null;
}
interface OnlineJson {
  contract: { featureSet: { name: string; version: number }; digest: string };
  entities: { entityId: string; features: FeatureValueJson[] }[];
  asOf: string;
  valuesAsOf?: string;
}

describe('strata feature-store workflow against the built feature-service', () => {
  let service: FeatureProcess;

  /** Runs `strata <args>` in this process with the real gRPC client. */
  const strata = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const cli = fakeCli(fakeRegistry(), { env: { STRATA_FEATURES: service.address } });
    const code = await runCli(args, cli.deps);
    return { code, stdout: cli.stdout.text, stderr: cli.stderr.text };
  };
  const expectExit = (run: { code: number; stdout: string; stderr: string }, code: number): void => {
    if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nservice:\n${service.output()}`);
  };
  const json = async <T>(...args: string[]): Promise<T> => {
    const run = await strata('--json', ...args);
    expectExit(run, 0);
    return JSON.parse(run.stdout) as T;
  };

  beforeAll(async () => {
    ensureFeatureServiceBuilt();
    service = await startFeatureProcess();
    copyFileSync(FLIGHTS_2K, path.join(service.importRoot, 'flights-2k.json'));
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('applies the flights source and the airport_delay_stats feature set, idempotently', async () => {
    const applied = await json<{ source: { version: number; digest: string }; changed: boolean }>('sources', 'apply', path.join(EXAMPLES, 'flights.source.json'));
    expect(applied).toMatchObject({ source: { version: 1 }, changed: true });
    expect(await json('sources', 'apply', path.join(EXAMPLES, 'flights.source.json'))).toMatchObject({ source: { version: 1, digest: applied.source.digest }, changed: false });

    const set = await json<{ applied: { featureSet: { contractDigest: string; spec: { source: { version: number } } }; created: boolean }[] }>(
      'feature-sets',
      'apply',
      path.join(EXAMPLES, 'airport_delay_stats.v1.json'),
    );
    expect(set.applied).toHaveLength(1);
    expect(set.applied[0]).toMatchObject({ created: true, featureSet: { spec: { source: { version: 1 } } } });
    expect(set.applied[0]?.featureSet.contractDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const again = await json<typeof set>('feature-sets', 'apply', path.join(EXAMPLES, 'airport_delay_stats.v1.json'));
    expect(again.applied[0]).toMatchObject({ created: false, featureSet: { contractDigest: set.applied[0]?.featureSet.contractDigest } });

    const shown = await strata('feature-sets', 'get', 'airport_delay_stats');
    expectExit(shown, 0);
    expect(shown.stdout).toMatch(/^feature set: +airport_delay_stats:1$/m);
    expect(shown.stdout).toMatch(/^delayed_flights_7d +int64 +count +7d +delay > 15 +0$/m);
    const missing = await strata('feature-sets', 'get', 'airport_delay_stats:2');
    expectExit(missing, ExitCode.NotFound);
  });

  it('imports flights-2k.json, waiting for the job with a progress line and a summary', async () => {
    const run = await strata('import', 'flights', 'flights-2k.json', '--key', 'flights-2k', '--poll-interval', '100ms');
    expectExit(run, 0);
    expect(run.stdout).toMatch(/^import \S+ SUCCEEDED in [\d.]+s: 2000(\/2000)? rows read( \(100%\))?, 2000 accepted, 0 rejected/);
    expect(run.stderr).toMatch(/^import \S+ succeeded: /m);

    // The same idempotency key returns the same job instead of importing again.
    const jobs = await json<{ jobs: JobJson['job'][] }>('jobs', 'list', '--kind', 'import');
    expect(jobs.jobs).toHaveLength(1);
    const repeated = await json<JobJson>('import', 'flights', 'flights-2k.json', '--key', 'flights-2k', '--poll-interval', '100ms');
    expect(repeated.job).toMatchObject({ id: jobs.jobs[0]?.id, status: 'JOB_STATUS_SUCCEEDED', counters: { rowsRead: '2000', rowsAccepted: '2000', rowsRejected: '0' } });
  });

  it('quarantines a rejected row with its reason and replays it', async () => {
    writeFileSync(path.join(service.importRoot, 'bad.csv'), 'date,delay,distance,origin,destination\n2001-03-31T12:00:00Z,-900,300,LAX,SFO\n');
    const run = await strata('import', 'flights', 'bad.csv', '--poll-interval', '100ms');
    expectExit(run, 0);
    expect(run.stdout).toMatch(/1 rows read.*, 0 accepted, 1 rejected/);
    expect(run.stdout).toContain('rejected by reason: out-of-range 1');

    const rows = await json<{ rows: { id: string; rejection: { reason: string; field: string } }[] }>('quarantine', 'list', '--source', 'flights', '--reason', 'out-of-range');
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]?.rejection).toMatchObject({ reason: 'REJECTION_REASON_OUT_OF_RANGE', field: 'delay' });
    const replay = await json<JobJson>('quarantine', 'replay', 'flights', '--row', rows.rows[0]!.id, '--poll-interval', '100ms');
    // The schema did not change, so the row is rejected again and stays in quarantine.
    expect(replay.job).toMatchObject({ kind: 'JOB_KIND_REPLAY', status: 'JOB_STATUS_SUCCEEDED', counters: { rowsAccepted: '0', rowsRejected: '1' } });
  });

  it('materializes the feature set and serves two airports online and as of a past time', async () => {
    const materialized = await json<JobJson>('materialize', 'airport_delay_stats:1', '--start', '2001-01-01', '--end', END, '--poll-interval', '100ms');
    expect(materialized.job).toMatchObject({ kind: 'JOB_KIND_MATERIALIZE', status: 'JOB_STATUS_SUCCEEDED' });
    expect(Number(materialized.job.counters.valuesWritten)).toBeGreaterThan(0);

    // Online: every requested value answered with an explicit status, under the applied contract.
    const online = await json<OnlineJson>('features', 'get', 'airport_delay_stats:1', 'ORD', 'DFW');
    const { contractDigest } = (await json<{ featureSet: { contractDigest: string } }>('feature-sets', 'get', 'airport_delay_stats:1')).featureSet;
    expect(online.contract).toEqual({ featureSet: { name: 'airport_delay_stats', version: 1 }, digest: contractDigest });
    expect(online.entities.map((e) => e.entityId)).toEqual(['ORD', 'DFW']);
    // Online values are as of the end of the materialization, not as of the call.
    expect(online.valuesAsOf).toBe('2001-04-01T00:00:00.000Z');
    expect(Date.parse(online.asOf)).toBeGreaterThan(Date.parse(END));
    for (const entity of online.entities) {
      expect(entity.features.map((f) => f.name)).toEqual(['flights_1d', 'delayed_flights_1d', 'avg_delay_1d', 'flights_7d', 'delayed_flights_7d', 'avg_delay_7d']);
      for (const feature of entity.features) {
        expect(['FEATURE_STATUS_PRESENT', 'FEATURE_STATUS_MISSING', 'FEATURE_STATUS_STALE', 'FEATURE_STATUS_DEFAULTED']).toContain(feature.status);
        expect(Object.keys(feature.value)).toHaveLength(1);
      }
    }

    // As of the end of the data: the 7-day counts are those of the file.
    const asOf = await json<OnlineJson>('features', 'get', 'airport_delay_stats:1', 'ORD', 'DFW', '--as-of', END, '--feature', 'flights_7d', '--feature', 'delayed_flights_7d');
    expect(asOf.asOf).toBe('2001-04-01T00:00:00.000Z');
    for (const [index, airport] of ['ORD', 'DFW'].entries()) {
      const expected = lastWeek(airport);
      expect(expected.flights).toBeGreaterThan(0);
      expect(asOf.entities[index]?.features).toEqual([
        expect.objectContaining({ name: 'flights_7d', status: 'FEATURE_STATUS_PRESENT', value: { int64Value: String(expected.flights) } }),
        expect.objectContaining({ name: 'delayed_flights_7d', status: 'FEATURE_STATUS_PRESENT', value: { int64Value: String(expected.delayed) } }),
      ]);
    }

    // The table people read, with the contract line.
    const table = await strata('features', 'get', 'airport_delay_stats:1', 'ORD', 'NOWHERE', '--as-of', END, '--feature', 'flights_7d', '--feature', 'avg_delay_7d');
    expectExit(table, 0);
    expect(table.stdout).toMatch(new RegExp(`^ORD +flights_7d +${lastWeek('ORD').flights} +PRESENT +2001-03-`, 'm'));
    expect(table.stdout).toMatch(/^NOWHERE +flights_7d +0 +DEFAULTED *$/m);
    expect(table.stdout).toMatch(/^NOWHERE +avg_delay_7d +null \(\w[\w ]*\) +MISSING *$/m);
    expect(table.stdout).toContain(`contract: airport_delay_stats:1@${contractDigest}\n`);
  });

  it('reports statistics over the online values', async () => {
    const stats = await json<{ entityCount: string; features: { name: string; nullRate: number }[] }>('features', 'stats', 'airport_delay_stats:1');
    expect(Number(stats.entityCount)).toBeGreaterThan(0);
    expect(stats.features.map((f) => f.name)).toEqual(['flights_1d', 'delayed_flights_1d', 'avg_delay_1d', 'flights_7d', 'delayed_flights_7d', 'avg_delay_7d']);
    const table = await strata('features', 'stats', 'airport_delay_stats');
    expectExit(table, 0);
    expect(table.stdout).toMatch(/^FEATURE +COUNT +NULL RATE +MIN +MAX +MEAN +FRESHNESS LAG +LATEST EVENT$/m);
  });
});

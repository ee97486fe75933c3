// Benchmark (not a test): the feature store end to end on PostgreSQL with the real flights data.
//   npx nx run feature-service:bench                 all of flights-3m.parquet (~3 million events)
//   npx nx run feature-service:bench -- --rows 200000 the first N rows (written as NDJSON), a quick check
//   ... -- --json out.json                           also writes every printed figure as JSON (FeatureBenchReport)
//   ... -- --phases-only                             stops after import + materializations (no training set, no online series, no JSON)
//   ... -- --keep-database                           leaves the database behind (its name is printed), to study its SQL
// It creates a fresh PostgreSQL database (TEST_POSTGRES_URL or 127.0.0.1:5432), starts the real
// feature-service in this process on it, applies examples/flights, imports the file, materializes
// airport_delay_stats and route_stats over the whole range, builds and reads a one-day training
// set (GetHistoricalFeatures + ReadDataset), then measures GetOnlineFeatures for 1
// and 100 entities from the in-process cache (warmed with every sampled entity first) and uncached
// (a second instance on the same database with ONLINE_CACHE_ENTRIES=0), each next to a bare
// primary-key SELECT through `pg`, plus the cached path called in-process on the service
// (OnlineFeaturesService.get, no gRPC). Progress lines while it runs; figures at the end; the
// database is dropped. Nothing is asserted: the numbers are for people. Client and server share
// this process, so gRPC latencies include both sides (and the event loop they share).
import { PARQUET_COMPRESSORS } from '../src/import/readers/parquet-reader';
import { createLogger } from '@strata/observability';
import { loadServiceConfig, type RunningService, startService } from '@strata/service-runtime';
import { createTestDatabase, freePort, type TestDatabase } from '@strata/testing';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { featureService } from '../src/bootstrap';
import { OnlineCache } from '../src/online/online-cache';
import { OnlineFeaturesService } from '../src/online/online-features.service';
import { FeatureTestClient } from '../test/fixtures/feature-client';
import { flightsExample } from '../test/fixtures/source-specs';

/** The materialization aim of the issue: import + both feature sets within a minute. */
const AIM_SECONDS = 60;
const FEATURE_SETS = ['airport_delay_stats', 'route_stats'] as const;
const LATENCY_ROUNDS = { warmup: 200, one: 5000, hundred: 1000 } as const;
/** Identifies the layout of the `--json` report (bump on an incompatible change). */
const REPORT_SCHEMA = 'strata.feature-bench/1';

interface Phase {
  readonly name: string;
  readonly kind: 'import' | 'materialize';
  readonly seconds: number;
  readonly events: number;
  readonly eventsPerSecond: number;
}

/** Latency distribution of one series, in milliseconds (the fields of bench/src/scenario.ts LatencyStats). */
interface Latencies {
  readonly count: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
  readonly max: number;
}

/** Everything printed, as written by `--json` (read by bench/src/scenarios/online-fetch.ts and import-materialize.ts). */
interface FeatureBenchReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly node: string;
  /** `--rows`, or null for the whole file. */
  readonly rowsRequested: number | null;
  readonly input: { readonly file: string; readonly format: string; readonly prepareSeconds: number };
  readonly import: { readonly seconds: number; readonly rowsRead: number; readonly rowsAccepted: number; readonly rowsRejected: number; readonly rowsPerSecond: number };
  readonly materializations: readonly { readonly featureSet: string; readonly seconds: number; readonly valuesWritten: number; readonly events: number; readonly eventsPerSecond: number }[];
  readonly phases: readonly Phase[];
  readonly total: { readonly seconds: number; readonly aimSeconds: number; readonly withinAim: boolean };
  readonly trainingSet: { readonly rows: number; readonly buildSeconds: number; readonly buildRowsPerSecond: number; readonly readSeconds: number; readonly readRowsPerSecond: number };
  readonly online: {
    readonly featureSet: string;
    readonly entitiesSampled: number;
    /** Rounds measured after `warmup` unmeasured calls, per series. */
    readonly rounds: { readonly warmup: number; readonly one: number; readonly hundred: number };
    /** Bare primary-key SELECT through `pg` (one entity: `=`, 100 entities: `= ANY`). */
    readonly baseline: { readonly one: Latencies; readonly hundred: Latencies };
    /** GetOnlineFeatures over gRPC (client in this process) on the instance with the cache, warmed first. */
    readonly cached: { readonly one: Latencies; readonly hundred: Latencies };
    /** OnlineFeaturesService.get called in-process on the cached instance: no gRPC, no mapping to the wire. */
    readonly cachedInProcess: { readonly one: Latencies; readonly hundred: Latencies };
    /** GetOnlineFeatures over gRPC on the instance with ONLINE_CACHE_ENTRIES=0. */
    readonly uncached: { readonly one: Latencies; readonly hundred: Latencies };
    /** Cache hits and misses of the cached instance during the cached series, their warm-up calls included (after the cache was filled). */
    readonly cacheDuringCachedSeries: { readonly hits: number; readonly misses: number };
  };
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

/** Latency distribution of `samples` (ms); sorts them. */
function latencies(samples: number[]): Latencies {
  samples.sort((a, b) => a - b);
  const at = (quantile: number): number => samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))] ?? 0;
  const mean = samples.length === 0 ? 0 : samples.reduce((sum, sample) => sum + sample, 0) / samples.length;
  return { count: samples.length, errors: 0, p50: at(0.5), p99: at(0.99), p999: at(0.999), mean, max: samples[samples.length - 1] ?? 0 };
}

function log(line: string): void {
  process.stdout.write(`[feature-bench] ${line}\n`);
}

function flightsFile(name: string): string {
  return path.join(path.dirname(require.resolve('vega-datasets')), '../data', name);
}

/** Puts the data into the import root: the parquet file itself, or its first `rows` rows as NDJSON. */
async function prepareImport(importRoot: string, rows: number | undefined): Promise<{ file: string; format: string }> {
  if (rows === undefined) {
    copyFileSync(flightsFile('flights-3m.parquet'), path.join(importRoot, 'flights-3m.parquet'));
    return { file: 'flights-3m.parquet', format: 'FILE_FORMAT_PARQUET' };
  }
  const { parquetReadObjects } = await import('hyparquet');
  const bytes = readFileSync(flightsFile('flights-3m.parquet'));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const records = await parquetReadObjects({ file, compressors: PARQUET_COMPRESSORS, rowStart: 0, rowEnd: rows });
  const lines = records.map((record) => JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value)));
  writeFileSync(path.join(importRoot, 'flights.ndjson'), `${lines.join('\n')}\n`);
  return { file: 'flights.ndjson', format: 'FILE_FORMAT_NDJSON' };
}

async function startInstance(database: TestDatabase, importRoot: string, env: NodeJS.ProcessEnv): Promise<RunningService> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'feature-bench-data-'));
  const serviceEnv: NodeJS.ProcessEnv = { ...env, BIND_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), HTTP_PORT: String(httpPort), DATA_DIR: dataDir, DATABASE_URL: database.url, IMPORT_ROOT: importRoot, SHUTDOWN_GRACE: '2s' };
  const config = loadServiceConfig(featureService.name, { grpc: grpcPort, http: httpPort }, serviceEnv);
  return startService(featureService, config, { env: serviceEnv, logger: createLogger({ service: featureService.name, level: (process.env['BENCH_LOG_LEVEL'] ?? 'warn') as 'warn' }) });
}

/**
 * CPU seconds spent by this process and by the PostgreSQL backends connected to `database`
 * (sampled from /proc every 200 ms: a backend that exits between two samples loses its last
 * 200 ms). Other processes on the machine do not count, so the figures are comparable on a busy machine.
 */
class CpuMeter {
  private readonly backends = new Map<number, number>();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly tick: number;

  constructor(private readonly database: string) {
    this.tick = 100;
    this.timer = existsSync('/proc/self/stat') ? setInterval(() => this.sample(), 200) : undefined;
    this.timer?.unref();
  }

  /** Seconds so far: this process, the database's backends. */
  read(): { node: number; postgres: number } {
    this.sample();
    const usage = process.cpuUsage();
    let postgres = 0;
    for (const ticks of this.backends.values()) postgres += ticks / this.tick;
    return { node: (usage.user + usage.system) / 1e6, postgres };
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private sample(): void {
    if (this.timer === undefined) return;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (!command.startsWith('postgres:') || !command.includes(` ${this.database} `)) continue;
        const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        this.backends.set(Number(entry), Number(fields[11]) + Number(fields[12]));
      } catch {
        // the process exited meanwhile
      }
    }
  }
}

/** Polls a job to its end, printing progress every second; returns its duration from start to finish. */
async function followJob(client: FeatureTestClient, id: string, label: string): Promise<{ seconds: number; rowsRead: number; rowsAccepted: number; rowsRejected: number; valuesWritten: number }> {
  const startedAt = performance.now();
  for (;;) {
    const { job } = await client.call('getJob', { id });
    const counters = job?.counters;
    const elapsed = (performance.now() - startedAt) / 1000;
    const rowsRead = Number(counters?.rowsRead ?? 0);
    if (job !== null && job !== undefined && ['JOB_STATUS_SUCCEEDED', 'JOB_STATUS_FAILED', 'JOB_STATUS_CANCELLED'].includes(String(job.status))) {
      if (job.status !== 'JOB_STATUS_SUCCEEDED') throw new Error(`${label}: job ${id} ended ${job.status}: ${job.errorMessage}`);
      const started = Number(job.startedAt?.seconds ?? 0) * 1000 + (job.startedAt?.nanos ?? 0) / 1e6;
      const finished = Number(job.finishedAt?.seconds ?? 0) * 1000 + (job.finishedAt?.nanos ?? 0) / 1e6;
      return { seconds: started > 0 && finished >= started ? (finished - started) / 1000 : elapsed, rowsRead, rowsAccepted: Number(counters?.rowsAccepted ?? 0), rowsRejected: Number(counters?.rowsRejected ?? 0), valuesWritten: Number(counters?.valuesWritten ?? 0) };
    }
    log(`${label}: ${String(job?.status ?? '?').replace('JOB_STATUS_', '').toLowerCase()} ${elapsed.toFixed(0)} s, rows read ${rowsRead}${Number(counters?.rowsTotal ?? 0) > 0 ? ` of ${counters?.rowsTotal}` : ''}, values written ${counters?.valuesWritten ?? 0}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function measure(rounds: number, call: () => Promise<unknown>): Promise<Latencies> {
  for (let index = 0; index < LATENCY_ROUNDS.warmup; index++) await call();
  const samples: number[] = [];
  for (let index = 0; index < rounds; index++) {
    const startedAt = performance.now();
    await call();
    samples.push(performance.now() - startedAt);
  }
  return latencies(samples);
}

function latencyLine(label: string, measured: Latencies, baseline: Latencies): string {
  return `${label.padEnd(36)} p50 ${measured.p50.toFixed(3).padStart(8)} ms  p99 ${measured.p99.toFixed(3).padStart(8)} ms  p99.9 ${measured.p999.toFixed(3).padStart(8)} ms  mean ${measured.mean.toFixed(3).padStart(8)} ms   (bare SELECT p50 ${baseline.p50.toFixed(3)} ms, p99 ${baseline.p99.toFixed(3)} ms, p99.9 ${baseline.p999.toFixed(3)} ms; ratio p50 ${(measured.p50 / baseline.p50).toFixed(1)}x, p99 ${(measured.p99 / baseline.p99).toFixed(1)}x)`;
}

/** GetHistoricalFeatures over the first day of flights (entity query, delay as label), then ReadDataset of all its rows. */
async function measureTrainingSet(client: FeatureTestClient): Promise<{ rows: number; buildSeconds: number; readSeconds: number }> {
  const day = Date.parse('2001-01-01T00:00:00Z') / 1000;
  const buildStartedAt = performance.now();
  const { dataset } = await client.call('getHistoricalFeatures', {
    featureSets: [{ name: 'airport_delay_stats', version: 1 }],
    query: { source: 'flights', timeRange: { start: { seconds: String(day), nanos: 0 }, end: { seconds: String(day + 86_400), nanos: 0 } }, extraFields: ['delay'] },
  });
  const buildSeconds = (performance.now() - buildStartedAt) / 1000;
  const rows = Number(dataset?.rowCount ?? 0);
  log(`training set: ${rows} rows built in ${buildSeconds.toFixed(1)} s, digest ${dataset?.digest.slice(0, 19)}…`);
  const readStartedAt = performance.now();
  const messages = await client.readDataset({ datasetId: dataset?.id ?? '', batchSize: 10_000 });
  const read = messages.reduce((sum, message) => sum + (message.batch?.rows.length ?? 0), 0);
  if (read !== rows) throw new Error(`ReadDataset returned ${read} rows, the snapshot has ${rows}`);
  return { rows, buildSeconds, readSeconds: (performance.now() - readStartedAt) / 1000 };
}

async function main(): Promise<void> {
  const rowsArgument = argument('rows');
  const rows = rowsArgument === undefined ? undefined : Number(rowsArgument);
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 1)) throw new Error(`--rows must be a positive integer, got ${rowsArgument}`);
  const jsonArgument = argument('json');
  if (process.argv.includes('--json') && (jsonArgument === undefined || jsonArgument.startsWith('--'))) throw new Error('--json needs a file name');
  const jsonFile = jsonArgument === undefined ? undefined : path.resolve(jsonArgument);
  const importRoot = mkdtempSync(path.join(tmpdir(), 'feature-bench-imports-'));
  const database = await createTestDatabase('feature_bench');
  const instances: RunningService[] = [];
  const clients: FeatureTestClient[] = [];
  const pg = new Client({ connectionString: database.url });
  try {
    log(`database ${database.name}; preparing ${rows === undefined ? 'flights-3m.parquet' : `the first ${rows} rows of flights-3m.parquet as NDJSON`}`);
    const prepareStartedAt = performance.now();
    const data = await prepareImport(importRoot, rows);
    const prepareSeconds = (performance.now() - prepareStartedAt) / 1000;
    const cached = await startInstance(database, importRoot, {});
    instances.push(cached);
    const client = new FeatureTestClient(cached.grpcAddress);
    clients.push(client);
    await pg.connect();

    await client.call('applySource', { spec: flightsExample('flights.source.json') });
    for (const name of FEATURE_SETS) await client.call('applyFeatureSet', { spec: flightsExample(`${name}.v1.json`) });
    log('applied examples/flights: source flights, feature sets airport_delay_stats and route_stats');

    const meter = new CpuMeter(database.name);
    const cpuLines: string[] = [];
    let cpuBefore = meter.read();
    const cpuOf = (name: string): void => {
      const now = meter.read();
      cpuLines.push(`${name}: cpu node ${(now.node - cpuBefore.node).toFixed(1)} s, postgres ${(now.postgres - cpuBefore.postgres).toFixed(1)} s`);
      cpuBefore = now;
    };
    const phases: Phase[] = [];
    const { job: importJob } = await client.call('importFile', { source: 'flights', path: data.file, format: data.format as never });
    const imported = await followJob(client, importJob?.id ?? '', 'import');
    phases.push({ name: `import ${data.file}`, kind: 'import', seconds: imported.seconds, events: imported.rowsRead, eventsPerSecond: imported.rowsRead / imported.seconds });
    cpuOf('import');
    log(`import done: ${imported.rowsRead} rows read, ${imported.rowsAccepted} accepted, ${imported.rowsRejected} rejected in ${imported.seconds.toFixed(1)} s = ${Math.round(imported.rowsRead / imported.seconds)} rows/s`);

    const { source } = await client.call('getSource', { name: 'flights' });
    const latest = source?.latestEventTime;
    const end = { seconds: String(Number(latest?.seconds ?? 0) + 1), nanos: 0 };
    const materializations: FeatureBenchReport['materializations'][number][] = [];
    for (const name of FEATURE_SETS) {
      const { job } = await client.call('materialize', { featureSet: { name, version: 1 }, end });
      const materialized = await followJob(client, job?.id ?? '', `materialize ${name}`);
      phases.push({ name: `materialize ${name}`, kind: 'materialize', seconds: materialized.seconds, events: imported.rowsAccepted, eventsPerSecond: imported.rowsAccepted / materialized.seconds });
      materializations.push({ featureSet: name, seconds: materialized.seconds, valuesWritten: materialized.valuesWritten, events: imported.rowsAccepted, eventsPerSecond: imported.rowsAccepted / materialized.seconds });
      cpuOf(`materialize ${name}`);
      log(`materialize ${name} done: ${materialized.valuesWritten} values written in ${materialized.seconds.toFixed(1)} s = ${Math.round(imported.rowsAccepted / materialized.seconds)} events/s`);
    }

    meter.stop();
    for (const line of cpuLines) log(line);
    if (process.argv.includes('--phases-only')) {
      const seconds = phases.reduce((sum, phase) => sum + phase.seconds, 0);
      log(`phases: ${phases.map((phase) => `${phase.name} ${phase.seconds.toFixed(1)} s`).join(', ')}; total ${seconds.toFixed(1)} s`);
      return;
    }
    const trainingSet = await measureTrainingSet(client);

    const uncached = await startInstance(database, importRoot, { ONLINE_CACHE_ENTRIES: '0' });
    instances.push(uncached);
    const uncachedClient = new FeatureTestClient(uncached.grpcAddress);
    clients.push(uncachedClient);
    const featureSetId = (await pg.query<{ id: string }>('SELECT id FROM feature_sets WHERE name = $1 AND version = 1', ['route_stats'])).rows[0]?.id;
    const entities = (await pg.query<{ entity_key: string }>('SELECT entity_key FROM online_features WHERE feature_set_id = $1 ORDER BY entity_key LIMIT 1000', [featureSetId])).rows.map((row) => row.entity_key);
    if (entities.length === 0) throw new Error('route_stats has no online rows');
    log(`measuring GetOnlineFeatures on route_stats (${entities.length} entities sampled)`);
    let cursor = 0;
    const oneEntity = (): string[] => [entities[cursor++ % entities.length] as string];
    const hundredEntities = (): string[] => Array.from({ length: 100 }, () => entities[cursor++ % entities.length] as string);
    const online = (target: FeatureTestClient, ids: () => string[]) => () => target.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 1 }, entityIds: ids() });
    const bareOne = () => pg.query('SELECT values FROM online_features WHERE feature_set_id = $1 AND entity_key = $2', [featureSetId, oneEntity()[0]]);
    const bareHundred = () => pg.query('SELECT values FROM online_features WHERE feature_set_id = $1 AND entity_key = ANY($2)', [featureSetId, hundredEntities()]);
    const service = cached.app.get(OnlineFeaturesService);
    const inProcess = (ids: () => string[]) => () => service.get({ featureSet: { name: 'route_stats', version: 1 }, entityIds: ids(), features: [] });

    const baselineOne = await measure(LATENCY_ROUNDS.one, bareOne);
    const baselineHundred = await measure(LATENCY_ROUNDS.hundred, bareHundred);
    // Every sampled entity into the cache first, so the cached series measure hits only.
    for (let start = 0; start < entities.length; start += 100) await client.call('getOnlineFeatures', { featureSet: { name: 'route_stats', version: 1 }, entityIds: entities.slice(start, start + 100) });
    const cache = cached.app.get(OnlineCache);
    const before = cache.stats();
    const cachedOne = await measure(LATENCY_ROUNDS.one, online(client, oneEntity));
    const cachedHundred = await measure(LATENCY_ROUNDS.hundred, online(client, hundredEntities));
    const cachedInProcessOne = await measure(LATENCY_ROUNDS.one, inProcess(oneEntity));
    const cachedInProcessHundred = await measure(LATENCY_ROUNDS.hundred, inProcess(hundredEntities));
    const after = cache.stats();
    const cacheDuringCachedSeries = { hits: after.hits - before.hits, misses: after.misses - before.misses };
    const uncachedOne = await measure(LATENCY_ROUNDS.one, online(uncachedClient, oneEntity));
    const uncachedHundred = await measure(LATENCY_ROUNDS.hundred, online(uncachedClient, hundredEntities));

    const total = phases.reduce((sum, phase) => sum + phase.seconds, 0);
    const lines = [
      '',
      `feature-service benchmark on PostgreSQL, ${imported.rowsRead} rows`,
      ...phases.map((phase) => `${phase.name.padEnd(40)} ${phase.seconds.toFixed(1).padStart(7)} s  ${Math.round(phase.eventsPerSecond).toString().padStart(9)} events/s`),
      `${'rows rejected (quarantined)'.padEnd(40)} ${String(imported.rowsRejected).padStart(7)}`,
      `${'total (import + materializations)'.padEnd(40)} ${total.toFixed(1).padStart(7)} s  ${total <= AIM_SECONDS ? 'within' : 'OVER'} the ${AIM_SECONDS} s aim`,
      `${'training set (1 day of flights)'.padEnd(40)} ${trainingSet.buildSeconds.toFixed(1).padStart(7)} s  ${Math.round(trainingSet.rows / trainingSet.buildSeconds).toString().padStart(9)} rows/s built; ReadDataset ${Math.round(trainingSet.rows / trainingSet.readSeconds)} rows/s`,
      '',
      latencyLine('online 1 entity, cached', cachedOne, baselineOne),
      latencyLine('online 1 entity, uncached', uncachedOne, baselineOne),
      latencyLine('online 100 entities, cached', cachedHundred, baselineHundred),
      latencyLine('online 100 entities, uncached', uncachedHundred, baselineHundred),
      latencyLine('in-process 1 entity, cached', cachedInProcessOne, baselineOne),
      latencyLine('in-process 100 entities, cached', cachedInProcessHundred, baselineHundred),
      `cache during the cached series: ${cacheDuringCachedSeries.hits} hits, ${cacheDuringCachedSeries.misses} misses`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (jsonFile !== undefined) {
      const report: FeatureBenchReport = {
        schema: REPORT_SCHEMA,
        node: process.version,
        rowsRequested: rows ?? null,
        input: { file: data.file, format: data.format, prepareSeconds },
        import: { seconds: imported.seconds, rowsRead: imported.rowsRead, rowsAccepted: imported.rowsAccepted, rowsRejected: imported.rowsRejected, rowsPerSecond: imported.rowsRead / imported.seconds },
        materializations,
        phases,
        total: { seconds: total, aimSeconds: AIM_SECONDS, withinAim: total <= AIM_SECONDS },
        trainingSet: { rows: trainingSet.rows, buildSeconds: trainingSet.buildSeconds, buildRowsPerSecond: trainingSet.rows / trainingSet.buildSeconds, readSeconds: trainingSet.readSeconds, readRowsPerSecond: trainingSet.rows / trainingSet.readSeconds },
        online: {
          featureSet: 'route_stats:1',
          entitiesSampled: entities.length,
          rounds: { ...LATENCY_ROUNDS },
          baseline: { one: baselineOne, hundred: baselineHundred },
          cached: { one: cachedOne, hundred: cachedHundred },
          cachedInProcess: { one: cachedInProcessOne, hundred: cachedInProcessHundred },
          uncached: { one: uncachedOne, hundred: uncachedHundred },
          cacheDuringCachedSeries,
        },
      };
      writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
      log(`figures written to ${jsonFile}`);
    }
  } finally {
    for (const target of clients) target.close();
    for (const instance of instances.reverse()) await instance.close('benchmark finished');
    await pg.end().catch(() => undefined);
    if (process.argv.includes('--keep-database')) log(`database ${database.name} kept`);
    else await database.drop();
    rmSync(importRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[feature-bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

// Benchmark (not a test): the feature store end to end on PostgreSQL with the real flights data.
//   npx nx run feature-service:bench                 all of flights-3m.parquet (~3 million events)
//   npx nx run feature-service:bench -- --rows 200000 the first N rows (written as NDJSON), a quick check
// It creates a fresh PostgreSQL database (TEST_POSTGRES_URL or 127.0.0.1:5432), starts the real
// feature-service in this process on it, applies examples/flights, imports the file, materializes
// airport_delay_stats and route_stats over the whole range, builds and reads a one-day training
// set (GetHistoricalFeatures + ReadDataset), then measures GetOnlineFeatures for 1
// and 100 entities from the in-process cache and uncached (a second instance on the same database
// with ONLINE_CACHE_ENTRIES=0), each next to a bare primary-key SELECT through `pg`. Progress
// lines while it runs; figures at the end; the database is dropped. Nothing is asserted: the
// numbers are for people. Client and server share this process, so latencies include both sides.
import { PARQUET_COMPRESSORS } from '../src/import/readers/parquet-reader';
import { createLogger } from '@strata/observability';
import { loadServiceConfig, type RunningService, startService } from '@strata/service-runtime';
import { createTestDatabase, freePort, type TestDatabase } from '@strata/testing';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { featureService } from '../src/bootstrap';
import { FeatureTestClient } from '../test/fixtures/feature-client';
import { flightsExample } from '../test/fixtures/source-specs';

/** The materialization aim of the issue: import + both feature sets within a minute. */
const AIM_SECONDS = 60;
const FEATURE_SETS = ['airport_delay_stats', 'route_stats'] as const;
const LATENCY_ROUNDS = { warmup: 200, one: 2000, hundred: 500 } as const;

interface Phase {
  readonly name: string;
  readonly seconds: number;
  readonly events: number;
}

interface Latencies {
  readonly p50: number;
  readonly p99: number;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
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
  samples.sort((a, b) => a - b);
  const at = (quantile: number): number => samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

function latencyLine(label: string, measured: Latencies, baseline: Latencies): string {
  return `${label.padEnd(30)} p50 ${measured.p50.toFixed(3).padStart(8)} ms  p99 ${measured.p99.toFixed(3).padStart(8)} ms   (bare SELECT p50 ${baseline.p50.toFixed(3)} ms, p99 ${baseline.p99.toFixed(3)} ms; ratio p50 ${(measured.p50 / baseline.p50).toFixed(1)}x, p99 ${(measured.p99 / baseline.p99).toFixed(1)}x)`;
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
  const importRoot = mkdtempSync(path.join(tmpdir(), 'feature-bench-imports-'));
  const database = await createTestDatabase('feature_bench');
  const instances: RunningService[] = [];
  const clients: FeatureTestClient[] = [];
  const pg = new Client({ connectionString: database.url });
  try {
    log(`database ${database.name}; preparing ${rows === undefined ? 'flights-3m.parquet' : `the first ${rows} rows of flights-3m.parquet as NDJSON`}`);
    const data = await prepareImport(importRoot, rows);
    const cached = await startInstance(database, importRoot, {});
    instances.push(cached);
    const client = new FeatureTestClient(cached.grpcAddress);
    clients.push(client);
    await pg.connect();

    await client.call('applySource', { spec: flightsExample('flights.source.json') });
    for (const name of FEATURE_SETS) await client.call('applyFeatureSet', { spec: flightsExample(`${name}.v1.json`) });
    log('applied examples/flights: source flights, feature sets airport_delay_stats and route_stats');

    const phases: Phase[] = [];
    const { job: importJob } = await client.call('importFile', { source: 'flights', path: data.file, format: data.format as never });
    const imported = await followJob(client, importJob?.id ?? '', 'import');
    phases.push({ name: `import ${data.file}`, seconds: imported.seconds, events: imported.rowsRead });
    log(`import done: ${imported.rowsRead} rows read, ${imported.rowsAccepted} accepted, ${imported.rowsRejected} rejected in ${imported.seconds.toFixed(1)} s = ${Math.round(imported.rowsRead / imported.seconds)} rows/s`);

    const { source } = await client.call('getSource', { name: 'flights' });
    const latest = source?.latestEventTime;
    const end = { seconds: String(Number(latest?.seconds ?? 0) + 1), nanos: 0 };
    for (const name of FEATURE_SETS) {
      const { job } = await client.call('materialize', { featureSet: { name, version: 1 }, end });
      const materialized = await followJob(client, job?.id ?? '', `materialize ${name}`);
      phases.push({ name: `materialize ${name}`, seconds: materialized.seconds, events: imported.rowsAccepted });
      log(`materialize ${name} done: ${materialized.valuesWritten} values written in ${materialized.seconds.toFixed(1)} s = ${Math.round(imported.rowsAccepted / materialized.seconds)} events/s`);
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

    const baselineOne = await measure(LATENCY_ROUNDS.one, bareOne);
    const baselineHundred = await measure(LATENCY_ROUNDS.hundred, bareHundred);
    const cachedOne = await measure(LATENCY_ROUNDS.one, online(client, oneEntity));
    const cachedHundred = await measure(LATENCY_ROUNDS.hundred, online(client, hundredEntities));
    const uncachedOne = await measure(LATENCY_ROUNDS.one, online(uncachedClient, oneEntity));
    const uncachedHundred = await measure(LATENCY_ROUNDS.hundred, online(uncachedClient, hundredEntities));

    const total = phases.reduce((sum, phase) => sum + phase.seconds, 0);
    const lines = [
      '',
      `feature-service benchmark on PostgreSQL, ${imported.rowsRead} rows`,
      ...phases.map((phase) => `${phase.name.padEnd(40)} ${phase.seconds.toFixed(1).padStart(7)} s  ${Math.round(phase.events / phase.seconds).toString().padStart(9)} events/s`),
      `${'total (import + materializations)'.padEnd(40)} ${total.toFixed(1).padStart(7)} s  ${total <= AIM_SECONDS ? 'within' : 'OVER'} the ${AIM_SECONDS} s aim`,
      `${'training set (1 day of flights)'.padEnd(40)} ${trainingSet.buildSeconds.toFixed(1).padStart(7)} s  ${Math.round(trainingSet.rows / trainingSet.buildSeconds).toString().padStart(9)} rows/s built; ReadDataset ${Math.round(trainingSet.rows / trainingSet.readSeconds)} rows/s`,
      '',
      latencyLine('online 1 entity, cached', cachedOne, baselineOne),
      latencyLine('online 1 entity, uncached', uncachedOne, baselineOne),
      latencyLine('online 100 entities, cached', cachedHundred, baselineHundred),
      latencyLine('online 100 entities, uncached', uncachedHundred, baselineHundred),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const target of clients) target.close();
    for (const instance of instances.reverse()) await instance.close('benchmark finished');
    await pg.end().catch(() => undefined);
    await database.drop();
    rmSync(importRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[feature-bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

import { createTestDatabase } from '@strata/testing';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Client } from 'pg';
import { type LoadResult, runOpenLoop } from '../harness/load';
import { statsOf } from '../harness/stats';
import type { Floors, LatencyStats, ServedModel } from '../scenario';
import type { EchoKind } from './echo-server';
import { ORT_SESSION_OPTIONS } from './ort-options';
import { startServerProcess } from './server-process';

/** How the floors are loaded: open loop at a low rate (the scenarios' low load). */
export interface FloorOptions {
  readonly ratePerSecond: number;
  readonly count: number;
  log(line: string): void;
}

export const FLOOR_RATE = 200;
export function floorOptions(quick: boolean, log: (line: string) => void): FloorOptions {
  return { ratePerSecond: FLOOR_RATE, count: quick ? 500 : 2_000, log };
}

/** A payload of the size of a single-row predict, for the echoes. */
const ECHO_PAYLOAD = { rows: [{ entity_id: 'LAX|PHX', features: { distance: 370 } }], note: 'strata bench echo' };
const PG_ROWS = 10_000;

/**
 * The four physical floors of this run, one after the other (never two at once): D_grpc and
 * D_http against echo servers in their own processes, D_pg against a fresh database on the local
 * PostgreSQL, all three loaded by the load worker; D_ort in this process on the served model.
 */
export async function measureFloors(model: ServedModel, options: FloorOptions): Promise<Floors> {
  const grpc = await withEchoServer('grpc', (address) =>
    loadFloor('D_grpc', options, { kind: 'grpc', address, protoKey: 'echo', service: 'Echo', method: 'Echo', request: ECHO_PAYLOAD }),
  );
  const http = await withEchoServer('http', (address) =>
    loadFloor('D_http', options, { kind: 'http', url: `${address}/echo`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ECHO_PAYLOAD) }),
  );
  const pg = await measurePg(options);
  const ort = await measureOrt(model, options);
  options.log(`  D_ort ${line(ort)}`);
  return { ort, grpc, http, pg };
}

async function loadFloor(name: string, options: FloorOptions, target: Parameters<typeof runOpenLoop>[0]['target']): Promise<LatencyStats> {
  const result: LoadResult = await runOpenLoop({ target, ratePerSecond: options.ratePerSecond, count: options.count, warmup: 200 });
  options.log(`  ${name} ${line(result.stats)}${result.errorSamples.length > 0 ? ` (${result.errorSamples.join('; ')})` : ''}`);
  return result.stats;
}

function line(stats: LatencyStats): string {
  return `p50 ${stats.p50.toFixed(3)} / p99 ${stats.p99.toFixed(3)} / p99.9 ${stats.p999.toFixed(3)} ms (${stats.count} requests, ${stats.errors} errors)`;
}

/** Runs `measure` against an echo server in its own process, stopped afterwards whatever happens. */
async function withEchoServer<T>(kind: EchoKind, measure: (address: string) => Promise<T>): Promise<T> {
  const server = await startServerProcess(path.join(__dirname, 'echo-server.ts'), [kind], `the ${kind} echo server`);
  try {
    return await measure(server.address);
  } finally {
    await server.stop();
  }
}

/** A primary-key SELECT of a random row out of 10,000, through `pg`, on a fresh database. */
async function measurePg(options: FloorOptions): Promise<LatencyStats> {
  const database = await createTestDatabase('strata_bench_pg');
  try {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE bench_rows (id integer PRIMARY KEY, entity_id text NOT NULL, value double precision NOT NULL)');
      await client.query(`INSERT INTO bench_rows SELECT i, 'entity-' || i, random() FROM generate_series(1, ${PG_ROWS}) AS i`);
      await client.query('ANALYZE bench_rows');
    } finally {
      await client.end();
    }
    return await loadFloor('D_pg', options, { kind: 'pg', connectionString: database.url, text: 'SELECT id, entity_id, value FROM bench_rows WHERE id = $1', randomIdUpTo: PG_ROWS });
  } finally {
    await database.drop();
  }
}

/**
 * `session.run` of the served model's bytes on the example row, with the session options
 * inference-service uses (one intra-op thread, no spinning), paced like the other floors
 * (one call every 1/rate s; each call timed on its own).
 */
async function measureOrt(model: ServedModel, options: FloorOptions): Promise<LatencyStats> {
  const session = await InferenceSession.create(model.bytes, ORT_SESSION_OPTIONS);
  try {
    const values = Float32Array.from(model.input.values);
    const run = (): Promise<unknown> => session.run({ [model.input.name]: new Tensor('float32', values, [1, values.length]) });
    for (let index = 0; index < 200; index += 1) await run();
    const latencies: number[] = [];
    const interval = 1000 / options.ratePerSecond;
    const start = performance.now();
    for (let index = 0; index < options.count; index += 1) {
      const wait = start + index * interval - performance.now();
      if (wait > 0) await sleep(wait);
      const before = performance.now();
      await run();
      latencies.push(performance.now() - before);
    }
    return statsOf(latencies, 0);
  } finally {
    await session.release();
  }
}

// D_chain (issue 17): the platform's main request at its floor. A minimal chain of the same shape
// — Fastify -> grpc-js unary -> grpc-js unary -> `pg` primary-key SELECT, plus one
// onnxruntime-node `session.run` of the served model — in three processes, with the libraries and
// versions the services use (the workspace's node_modules), on the same model and the same row.
// What the platform adds on top of it is what its own code costs.
import { createTestDatabase, type TestDatabase } from '@strata/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { rssMiB } from '../../harness/proc';
import type { ServedModel } from '../../scenario';
import { type ServerProcess, startServerProcess } from '../server-process';

export const CHAIN_PROCESSES = ['chain-features', 'chain-inference', 'chain-http'] as const;
export type ChainProcess = (typeof CHAIN_PROCESSES)[number];

/** Rows besides the served entity, so the SELECT walks a real index. */
const OTHER_ROWS = 9_999;

/** The entity the chain serves, with its stored feature values in the model's input order. */
export interface ChainEntity {
  readonly entityId: string;
  readonly values: readonly number[];
}

/** The three running processes. */
export interface RunningChain {
  /** chain-http's base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly pids: Readonly<Record<ChainProcess, number>>;
  /** VmRSS of each process now, MiB (NaN for one that has gone). */
  rssMiB(): Record<ChainProcess, number>;
  /** Stops all three processes (whatever state they are in), drops the database, removes the model file. */
  stop(): Promise<void>;
}

/**
 * Starts D_chain: a fresh database holding `entity` and 9,999 synthetic rows, the model's bytes
 * in a temporary file, then chain-features, chain-inference and chain-http, each forked on its own.
 */
export async function startChain(model: ServedModel, entity: ChainEntity): Promise<RunningChain> {
  const started: ServerProcess[] = [];
  const modelDir = mkdtempSync(path.join(tmpdir(), 'strata-chain-'));
  let database: TestDatabase | undefined;
  const stop = async (): Promise<void> => {
    for (const server of started.reverse()) await server.stop().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    rmSync(modelDir, { recursive: true, force: true });
  };
  try {
    database = await createTestDatabase('strata_bench_chain');
    await seed(database.url, entity);
    const modelFile = path.join(modelDir, 'model.onnx');
    writeFileSync(modelFile, model.bytes);
    const start = async (name: ChainProcess, args: readonly string[]): Promise<ServerProcess> => {
      const server = await startServerProcess(path.join(__dirname, `${name}.ts`), args, name);
      started.push(server);
      return server;
    };
    const features = await start('chain-features', [database.url]);
    const inference = await start('chain-inference', [modelFile, model.input.name, features.address]);
    const http = await start('chain-http', [inference.address]);
    const pids = { 'chain-features': features.pid, 'chain-inference': inference.pid, 'chain-http': http.pid };
    return { url: http.address, pids, rssMiB: () => ({ 'chain-features': rssMiB(features.pid), 'chain-inference': rssMiB(inference.pid), 'chain-http': rssMiB(http.pid) }), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `chain_features(entity_id text primary key, values float8[] not null)` with the served entity and the synthetic rows. */
async function seed(url: string, entity: ChainEntity): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE chain_features (entity_id text PRIMARY KEY, values float8[] NOT NULL)');
    await client.query('INSERT INTO chain_features (entity_id, values) VALUES ($1, $2)', [entity.entityId, entity.values]);
    await client.query(
      `INSERT INTO chain_features (entity_id, values) SELECT 'SYN|' || i, ARRAY[random() * 100, random() * 60, random() * 2500, random() * 120] FROM generate_series(1, ${OTHER_ROWS}) AS i`,
    );
    await client.query('ANALYZE chain_features');
  } finally {
    await client.end();
  }
}

// Benchmark (not a test): WatchReleases fan-out latency of the real, built registry-service.
// Run it with
//   bash apps/registry-service/bench/watch-fanout.sh [watchers=50] [moves=200]
// It builds the service into tmp/, starts it as its own process on PGlite in a temp folder on
// free ports, registers a model with two versions and moves an alias back and forth, one move
// at a time. For every move it measures, from the moment SetAlias is sent:
//   - the SetAlias round trip (the commit and its answer) — the baseline;
//   - delivery of the ALIAS_MOVED event to 1 watcher (first run) and to all N watchers
//     (second run), each watcher on its own connection;
// and prints p50/p99 of each with its ratio to the baseline. Finally it stops the service
// (SIGTERM) with the N streams still open and reports how it exited. Nothing is asserted.
import { status } from '@grpc/grpc-js';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashToken } from '../src/auth/token-registry';
import { aLinearOnnxModel } from '../test/fixtures/onnx-models';
import { RegistryTestClient } from '../test/fixtures/registry-client';
import { buildRegistryService, startServiceProcess } from '../test/fixtures/service-process';
import { ReleaseTestClient, type Watcher } from '../test/release-fixtures/release-client';

const TOKEN = 'bench-token';
const MODEL = 'fanout';
const SHUTDOWN_GRACE = '2s';

interface Sample {
  readonly roundTripMs: number;
  readonly firstDeliveryMs: number;
  readonly allDeliveredMs: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Resolves with the time (performance.now) at which `watcher` received an event of revision >= `revision`. */
function deliveredAt(watcher: Watcher, revision: bigint): Promise<number> {
  return watcher.untilRevision(revision).then(() => performance.now());
}

/** Opens `count` watchers (own connections), resumed at the current head so they skip the snapshot. */
async function openWatchers(address: string, count: number, fromRevision: string): Promise<{ clients: ReleaseTestClient[]; watchers: Watcher[] }> {
  const clients = Array.from({ length: count }, () => ReleaseTestClient.withOwnConnection(address));
  const watchers = clients.map((client) => client.watch({ fromRevision }));
  return { clients, watchers };
}

/** The alias under test: where it points and the registry's head revision (only this benchmark writes). */
interface Position {
  version: number;
  revision: bigint;
}

/** Moves the alias `moves` times, one at a time, timing the round trip and the delivery to every watcher. */
async function measureMoves(release: ReleaseTestClient, watchers: readonly Watcher[], moves: number, position: Position): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < moves; i++) {
    const [version, revision] = [position.version === 1 ? 2 : 1, position.revision + 1n];
    // The event can arrive before the answer: arm the waits on the next revision before sending.
    const deliveries = watchers.map((watcher) => deliveredAt(watcher, revision));
    const sentAt = performance.now();
    const { alias } = await release.setAlias({ modelName: MODEL, alias: 'production', version, reason: `move ${i}` });
    const answeredAt = performance.now();
    if (alias?.revision !== String(revision)) throw new Error(`expected revision ${revision}, got ${alias?.revision}`);
    const delivered = await Promise.all(deliveries);
    samples.push({ roundTripMs: answeredAt - sentAt, firstDeliveryMs: Math.min(...delivered) - sentAt, allDeliveredMs: Math.max(...delivered) - sentAt });
    Object.assign(position, { version, revision });
  }
  return samples;
}

function line(label: string, values: readonly number[], baseline?: readonly number[]): string {
  const [p50, p99] = [percentile(values, 50), percentile(values, 99)];
  const ratio = baseline === undefined ? '' : `   ${(p50 / percentile(baseline, 50)).toFixed(2)}x / ${(p99 / percentile(baseline, 99)).toFixed(2)}x of the round trip`;
  return `${label.padEnd(44)} p50 ${p50.toFixed(2).padStart(7)} ms   p99 ${p99.toFixed(2).padStart(7)} ms${ratio}`;
}

async function main(): Promise<void> {
  const watcherCount = Number(process.argv[2] ?? 50);
  const moves = Number(process.argv[3] ?? 200);
  process.stdout.write(`registry-service WatchReleases fan-out benchmark: ${watcherCount} watchers, ${moves} alias moves per run, PGlite, ${cpus().length} CPUs, Node ${process.version}\n`);
  const build = await buildRegistryService();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'registry-watch-bench-'));
  const service = await startServiceProcess(build, { DATA_DIR: dataDir, REGISTRY_TOKENS: `bench:admin:${hashToken(TOKEN)}`, LOG_LEVEL: 'warn', SHUTDOWN_GRACE });
  const registry = new RegistryTestClient(service.grpcAddress, TOKEN);
  const release = new ReleaseTestClient(service.grpcAddress, TOKEN);
  const opened: ReleaseTestClient[] = [];
  try {
    await registry.createModel({ name: MODEL });
    for (const seed of [1, 2]) await registry.registerVersion(MODEL, aLinearOnnxModel(seed));
    const { alias } = await release.setAlias({ modelName: MODEL, alias: 'production', version: 1, reason: 'start' });
    const position: Position = { version: 1, revision: BigInt(alias?.revision ?? '0') };

    const single = await openWatchers(service.grpcAddress, 1, String(position.revision));
    opened.push(...single.clients);
    await measureMoves(release, single.watchers, 20, position); // warm-up
    const one = await measureMoves(release, single.watchers, moves, position);

    const many = await openWatchers(service.grpcAddress, watcherCount, String(position.revision));
    opened.push(...many.clients);
    await measureMoves(release, many.watchers, 20, position); // warm-up: every connection is up
    const all = await measureMoves(release, many.watchers, moves, position);

    const baseline = [...one, ...all].map((s) => s.roundTripMs);
    process.stdout.write(`${line('baseline: SetAlias round trip (commit)', baseline)}\n`);
    process.stdout.write(`${line('send -> delivered to 1 watcher', one.map((s) => s.allDeliveredMs), baseline)}\n`);
    process.stdout.write(`${line(`send -> delivered to the first of ${watcherCount}`, all.map((s) => s.firstDeliveryMs), baseline)}\n`);
    process.stdout.write(`${line(`send -> delivered to all ${watcherCount} watchers`, all.map((s) => s.allDeliveredMs), baseline)}\n`);
    process.stdout.write(`${line(`fan-out: all ${watcherCount} vs 1 watcher`, all.map((s) => s.allDeliveredMs), one.map((s) => s.allDeliveredMs)).replace('of the round trip', 'of 1 watcher')}\n`);

    const stopStartedAt = performance.now();
    const exitCode = await service.stop();
    const ends = await Promise.all(many.watchers.map((w) => w.ended));
    process.stdout.write(
      `SIGTERM with ${watcherCount + 1} open watch streams: exit code ${String(exitCode)} after ${((performance.now() - stopStartedAt) / 1000).toFixed(2)} s (SHUTDOWN_GRACE=${SHUTDOWN_GRACE}); streams ended with ${[...new Set(ends.map((e) => status[e.code]))].join(', ')}\n`,
    );
  } finally {
    for (const client of opened) client.close();
    registry.close();
    release.close();
    await service.stop();
    await build.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

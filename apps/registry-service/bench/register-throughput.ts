// Benchmark (not a test): RegisterVersion throughput of the real, built registry-service for
// 1 MiB ONNX artifacts, next to a baseline measured in this process on the same bytes: sha256 +
// write + fsync of each artifact to a file; then DownloadArtifact of the same artifacts. Run it with
//   bash apps/registry-service/bench/register-throughput.sh [artifacts=40] [parallel uploads=4]
// It builds the service into tmp/, starts it on PGlite in a temp folder on free ports, and
// prints the figures. Nothing is asserted: the numbers are for people.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashToken } from '../src/auth/token-registry';
import { aLargeOnnxModel } from '../test/fixtures/onnx-models';
import { RegistryTestClient } from '../test/fixtures/registry-client';
import { buildRegistryService, startServiceProcess } from '../test/fixtures/service-process';

const MiB = 1024 * 1024;
const TOKEN = 'bench-token';
const LARGE_ARTIFACT_BYTES = 64 * MiB;

interface Figures {
  readonly seconds: number;
  readonly bytes: number;
  readonly count: number;
}

const mibPerSecond = (figures: Figures): number => figures.bytes / MiB / figures.seconds;
const perSecond = (figures: Figures): number => figures.count / figures.seconds;

/** sha256 + write + fsync of every artifact into its own file: what storing them costs at the least. */
async function measureBaseline(artifacts: readonly Buffer[]): Promise<Figures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'registry-bench-baseline-'));
  try {
    const startedAt = performance.now();
    for (const [index, bytes] of artifacts.entries()) {
      createHash('sha256').update(bytes).digest('hex');
      const file = await open(path.join(dir, String(index)), 'w');
      await file.write(bytes);
      await file.sync();
      await file.close();
    }
    return { seconds: (performance.now() - startedAt) / 1000, bytes: total(artifacts), count: artifacts.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Registers every artifact as a new version, `parallel` uploads at a time. */
async function measureRegistrations(client: RegistryTestClient, model: string, artifacts: readonly Buffer[], parallel: number): Promise<Figures> {
  await client.createModel({ name: model });
  let next = 0;
  const startedAt = performance.now();
  const worker = async (): Promise<void> => {
    for (let index = next++, bytes = artifacts[index]; bytes !== undefined; index = next++, bytes = artifacts[index]) {
      const { alreadyExisted } = await client.registerVersion(model, bytes);
      if (alreadyExisted) throw new Error(`artifact ${index} was not new`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { seconds: (performance.now() - startedAt) / 1000, bytes: total(artifacts), count: artifacts.length };
}

/** Downloads every version of `model` once, verifying each digest (the contract promises >= 100 MiB/s locally). */
async function measureDownloads(client: RegistryTestClient, model: string, count: number): Promise<Figures> {
  let bytes = 0;
  const startedAt = performance.now();
  for (let version = 1; version <= count; version += 1) {
    const download = await client.download({ name: model, version });
    if (createHash('sha256').update(download.bytes).digest('hex') !== download.header.artifact?.sha256) throw new Error(`version ${version}: digest mismatch`);
    bytes += download.bytes.byteLength;
  }
  return { seconds: (performance.now() - startedAt) / 1000, bytes, count };
}

function total(artifacts: readonly Buffer[]): number {
  return artifacts.reduce((sum, bytes) => sum + bytes.byteLength, 0);
}

function row(label: string, figures: Figures, baseline?: Figures): string {
  const ratio = baseline === undefined ? '' : `  ${((mibPerSecond(figures) / mibPerSecond(baseline)) * 100).toFixed(1)}% of baseline`;
  return `${label.padEnd(34)} ${mibPerSecond(figures).toFixed(1).padStart(8)} MiB/s ${perSecond(figures).toFixed(1).padStart(8)} /s${ratio}`;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 40);
  const parallel = Number(process.argv[3] ?? 4);
  process.stdout.write(`registry-service RegisterVersion benchmark: ${count} distinct ~1 MiB ONNX artifacts per run, PGlite, ${cpus().length} CPUs, Node ${process.version}\n`);
  const sequentialArtifacts = Array.from({ length: count }, (_, index) => aLargeOnnxModel(MiB - 256, index + 1));
  const parallelArtifacts = Array.from({ length: count }, (_, index) => aLargeOnnxModel(MiB - 256, count + index + 1));

  const build = await buildRegistryService();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'registry-bench-'));
  const service = await startServiceProcess(build, { DATA_DIR: dataDir, REGISTRY_TOKENS: `bench:ci:${hashToken(TOKEN)}`, LOG_LEVEL: 'warn' });
  const client = new RegistryTestClient(service.grpcAddress, TOKEN);
  try {
    await measureRegistrations(client, 'warm-up', sequentialArtifacts.slice(0, 3), 1);
    const baseline = await measureBaseline(sequentialArtifacts);
    const sequential = await measureRegistrations(client, 'bench-sequential', sequentialArtifacts, 1);
    const concurrent = await measureRegistrations(client, 'bench-parallel', parallelArtifacts, parallel);
    const downloads = await measureDownloads(client, 'bench-sequential', count);
    await measureRegistrations(client, 'bench-large', [aLargeOnnxModel(LARGE_ARTIFACT_BYTES, 1)], 1);
    const largeDownload = await measureDownloads(client, 'bench-large', 1);
    process.stdout.write(`${row('baseline: sha256 + write + fsync', baseline)}\n`);
    process.stdout.write(`${row('RegisterVersion, 1 upload at a time', sequential, baseline)}\n`);
    process.stdout.write(`${row(`RegisterVersion, ${parallel} uploads at a time`, concurrent, baseline)}\n`);
    process.stdout.write(`${row('DownloadArtifact + sha256 check', downloads)}\n`);
    process.stdout.write(`${row(`DownloadArtifact, one ${LARGE_ARTIFACT_BYTES / MiB} MiB artifact`, largeDownload)}\n`);
  } finally {
    client.close();
    await service.stop();
    await build.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

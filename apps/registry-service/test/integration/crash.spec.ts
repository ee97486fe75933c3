import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../fixtures/eventually';
import { aLargeOnnxModel } from '../fixtures/onnx-models';
import { headerFor, RegistryTestClient } from '../fixtures/registry-client';
import { REGISTRY_TOKENS, TOKENS } from '../fixtures/registry-harness';
import { buildRegistryService, type ServiceBuild, type ServiceProcess, startServiceProcess } from '../fixtures/service-process';

const MiB = 1024 * 1024;
const MODEL = 'crash-model';

/** Sizes of the files in a folder, by name; empty when the folder does not exist. */
function fileSizes(dir: string): Record<string, number> {
  try {
    return Object.fromEntries(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => [entry.name, statSync(path.join(entry.parentPath, entry.name)).size]),
    );
  } catch {
    return {};
  }
}

// The real built service as its own process on PGlite: killed with SIGKILL in the middle of an
// upload, then restarted on the same data folder. Nothing of the interrupted upload may be
// visible afterwards (no version, no blob, no temporary file), and the same bytes register
// cleanly as version 1.
describe('registry-service killed with SIGKILL mid-upload', () => {
  let build: ServiceBuild;
  let dataDir: string;
  let service: ServiceProcess | undefined;
  let client: RegistryTestClient | undefined;
  const artifact = aLargeOnnxModel(8 * MiB, 7);
  const digest = createHash('sha256').update(artifact).digest('hex');
  const artifactDir = (): string => path.join(dataDir, 'artifacts');
  const start = async (): Promise<ServiceProcess> => {
    service = await startServiceProcess(build, { DATA_DIR: dataDir, REGISTRY_TOKENS });
    client = new RegistryTestClient(service.grpcAddress, TOKENS.ci);
    return service;
  };

  beforeAll(async () => {
    build = await buildRegistryService();
    dataDir = mkdtempSync(path.join(tmpdir(), 'registry-crash-'));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await service?.killHard();
    await build?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no version, no blob and no temporary file, and the same bytes then register as version 1', async () => {
    const first = await start();
    await client!.createModel({ name: MODEL });
    const upload = client!.startUpload(headerFor(MODEL, artifact));
    upload.response.catch(() => undefined);
    for (let at = 0; at < 3 * MiB; at += MiB) await upload.write(artifact.subarray(at, at + MiB));

    // The trigger: the server has written at least 2 MiB of the 8 MiB upload to its temporary file.
    await eventually(() => Object.values(fileSizes(path.join(artifactDir(), '.tmp'))).some((size) => size >= 2 * MiB), 'the server holds 2 MiB of the upload');
    expect(fileSizes(path.join(artifactDir(), 'sha256'))).toEqual({});
    await first.killHard();
    client!.close();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(Object.keys(fileSizes(path.join(artifactDir(), '.tmp')))).toHaveLength(1);

    const second = await start();

    expect(second.output()).toContain('removed 1 unfinished upload(s)');
    expect(fileSizes(path.join(artifactDir(), '.tmp'))).toEqual({});
    expect(fileSizes(path.join(artifactDir(), 'sha256'))).toEqual({});
    expect((await client!.getModel(MODEL)).model?.latestVersion).toBe(0);
    expect((await client!.listVersions({ modelName: MODEL })).versions).toEqual([]);

    const { version, alreadyExisted } = await client!.registerVersion(MODEL, artifact);

    expect(alreadyExisted).toBe(false);
    expect(version).toMatchObject({ version: 1, artifact: { sha256: digest, sizeBytes: String(artifact.byteLength) } });
    expect(Object.keys(fileSizes(path.join(artifactDir(), 'sha256')))).toEqual([digest]);
    const download = await client!.download({ name: MODEL, version: 1 });
    expect(createHash('sha256').update(download.bytes).digest('hex')).toBe(digest);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});

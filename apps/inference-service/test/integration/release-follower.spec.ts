import { buildLinearModel } from '@strata/onnx';
import { bearer, buildServiceForTest, GrpcTestClient, type ServiceBuild, type ServiceProcess, startServiceProcess } from '@strata/testing';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GrpcModelRegistry } from '../../src/releases/grpc-model-registry';
import { ReleaseFollower } from '../../src/releases/release-follower';
import type { ReleaseChange } from '../../src/releases/release-state';

// The release follower against a real registry-service process: it reports alias moves and
// traffic policies, downloads verified artifacts, and resumes after the registry restarts
// without reporting anything twice.

jest.setTimeout(180_000);

const TOKEN = 'inference-test-token';
const TOKENS = `ci-user:ci:${createHash('sha256').update(TOKEN, 'utf8').digest('hex')}`;

let build: ServiceBuild;
let registry: ServiceProcess;
let client: GrpcTestClient;
let dataDir: string;

async function startRegistry(ports: NodeJS.ProcessEnv = {}): Promise<void> {
  registry = await startServiceProcess(build, { DATA_DIR: dataDir, REGISTRY_TOKENS: TOKENS, LOG_LEVEL: 'warn', ...ports });
  client = new GrpcTestClient('registryV1', 'RegistryService', registry.grpcAddress);
}

async function register(seed: number): Promise<number> {
  const bytes = Buffer.from(buildLinearModel({ weights: [[seed], [1], [2]], bias: [0], featureCount: 3, activation: 'sigmoid' }));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const response = await new Promise<{ version: { version: number } }>((resolve, reject) => {
    const raw = client.raw as unknown as { RegisterVersion: (metadata: unknown, callback: (error: Error | null, response?: unknown) => void) => { write(message: object): void; end(): void } };
    const call = raw.RegisterVersion.call(client.raw, bearer(TOKEN), (error, answer) => (error ? reject(error) : resolve(answer as { version: { version: number } })));
    call.write({ header: { modelName: 'flights', format: 'ARTIFACT_FORMAT_ONNX', sha256, sizeBytes: String(bytes.byteLength) } });
    call.write({ chunk: bytes });
    call.end();
  });
  return response.version.version;
}

const setAlias = (alias: string, version: number): Promise<unknown> => client.call('setAlias', { modelName: 'flights', alias, version, reason: 'test' }, bearer(TOKEN));

beforeAll(async () => {
  build = await buildServiceForTest('registry-service');
  dataDir = mkdtempSync(path.join(tmpdir(), 'inference-registry-'));
  await startRegistry();
  await client.call('createModel', { name: 'flights' }, bearer(TOKEN));
});

afterAll(async () => {
  client?.close();
  await registry?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await build?.remove();
});

describe(ReleaseFollower.name, () => {
  it('reports releases from the snapshot and the stream, resumes after a registry restart, and downloads verified artifacts', async () => {
    const [v1, v2, v3] = [await register(1), await register(2), await register(3)];
    await setAlias('production', v1);

    const changes: ReleaseChange[] = [];
    let disconnects = 0;
    const waiters: (() => void)[] = [];
    const registryClient = new GrpcModelRegistry({ registryAddress: registry.grpcAddress });
    const follower = new ReleaseFollower(registryClient, {
      changed: (batch) => {
        changes.push(...batch);
        waiters.splice(0).forEach((wake) => wake());
      },
      disconnected: () => void (disconnects += 1),
    });
    const until = async (predicate: () => boolean): Promise<void> => {
      while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    const stop = new AbortController();
    const running = follower.run(stop.signal);
    try {
      // The snapshot: production -> v1 with the default policy.
      await until(() => changes.some((change) => change.kind === 'alias-target'));
      expect(changes).toContainEqual(expect.objectContaining({ kind: 'alias-target', alias: 'production', target: expect.objectContaining({ version: v1 }) as unknown }));

      // Live events: a canary and a 90/10 policy.
      await setAlias('canary', v2);
      await client.call('setTrafficPolicy', { modelName: 'flights', policy: { splits: [{ alias: 'production', percent: 90 }, { alias: 'canary', percent: 10 }] }, reason: 'canary' }, bearer(TOKEN));
      await until(() => changes.some((change) => change.kind === 'traffic-policy' && change.policy.splits.length === 2));

      // The registry restarts on the same data; the follower resumes and reports only what is new.
      const before = changes.length;
      const ports = { GRPC_PORT: registry.grpcAddress.split(':')[1], HTTP_PORT: new URL(registry.httpUrl).port };
      await registry.stop();
      client.close();
      await startRegistry(ports);
      await setAlias('production', v3);
      await until(() => changes.slice(before).some((change) => change.kind === 'alias-target' && change.target.version === v3));
      expect(disconnects).toBeGreaterThan(0);
      expect(changes.slice(before)).toEqual([expect.objectContaining({ kind: 'alias-target', alias: 'production', target: expect.objectContaining({ version: v3 }) as unknown })]);
      expect(follower.state.model('flights')?.aliases.get('canary')?.version).toBe(v2);

      // The artifact of the production target, verified against the registry's digest.
      const artifact = await registryClient.downloadArtifact('flights', v3, stop.signal);
      expect(artifact.sha256).toBe(follower.state.model('flights')?.aliases.get('production')?.sha256);
    } finally {
      stop.abort();
      await running;
      registryClient.onModuleDestroy();
    }
  });
});

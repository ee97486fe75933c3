import { aLinearModel, TestRegistry } from '@strata/testing';
import { GrpcModelRegistry } from '../../src/releases/grpc-model-registry';
import { ReleaseFollower } from '../../src/releases/release-follower';
import type { ReleaseChange } from '../../src/releases/release-state';

// The release follower against a real registry-service process: it reports alias moves and
// traffic policies, downloads verified artifacts, and resumes after the registry restarts
// without reporting anything twice.

jest.setTimeout(180_000);

let registry: TestRegistry;

beforeAll(async () => {
  registry = await TestRegistry.start();
  await registry.createModel('flights');
});

afterAll(async () => {
  await registry?.stop();
});

const register = (k: number): Promise<number> => registry.register('flights', aLinearModel(k));
const setAlias = (alias: string, version: number): Promise<unknown> => registry.setAlias('flights', alias, version);

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
      await registry.setTrafficPolicy('flights', [{ alias: 'production', percent: 90 }, { alias: 'canary', percent: 10 }]);
      await until(() => changes.some((change) => change.kind === 'traffic-policy' && change.policy.splits.length === 2));

      // The registry restarts on the same data; the follower resumes and reports only what is new.
      const before = changes.length;
      await registry.restart();
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

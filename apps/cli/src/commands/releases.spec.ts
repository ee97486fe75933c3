import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import { fakeCli, fakeRegistry, grpcError } from '../../test/support/fake-cli';
import { CommandContext } from '../context';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';
import { watchReleases } from './releases';

const FAST = { initialBackoffMs: 1, maxBackoffMs: 4, idleTimeoutMs: 10_000 };
const event = (revision: string): registryV1.WatchReleasesResponse => ({
  event: {
    revision,
    kind: 'RELEASE_EVENT_KIND_ALIAS_MOVED' as registryV1.ReleaseEventKind,
    modelName: 'm',
    alias: 'production',
    version: Number(revision),
    previousVersion: 0,
    artifactSha256: 'ab'.repeat(32),
    versionStatus: 'VERSION_STATUS_UNSPECIFIED' as registryV1.VersionStatus,
    trafficPolicy: null,
    time: { seconds: '1795000000', nanos: 0 },
    actor: 'ci-bot',
    reason: 'r',
  },
});
const snapshot = (revision: string): registryV1.WatchReleasesResponse => ({ snapshot: { revision, models: [], reset: false } });
const heartbeat = (revision: string): registryV1.WatchReleasesResponse => ({ heartbeat: { revision, time: null } });

describe(watchReleases.name, () => {
  it('reconnects after UNAVAILABLE from the last revision it printed, then exits on interrupt', async () => {
    const requests: registryV1.WatchReleasesRequest[] = [];
    const registry = fakeRegistry({
      async *watchReleases(request, signal) {
        requests.push(request);
        if (requests.length === 1) {
          yield snapshot('10');
          yield event('11');
          yield heartbeat('15');
          throw grpcError(status.UNAVAILABLE, 'connection dropped');
        }
        yield event('12');
        cli.interrupt();
        if (signal?.aborted === true) throw grpcError(status.CANCELLED, 'cancelled');
      },
    });
    const cli = fakeCli(registry);
    const ctx = new CommandContext(cli.deps, { address: 'x', token: undefined, timeoutMs: 1000, json: true });
    await watchReleases(ctx, { modelName: 'm', fromRevision: '0' }, FAST);
    expect(requests).toEqual([
      { modelName: 'm', fromRevision: '0' },
      { modelName: 'm', fromRevision: '11' },
    ]);
    const lines = cli.stdout.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, { revision: string }>);
    expect(lines.map((l) => Object.keys(l)[0])).toEqual(['snapshot', 'event', 'heartbeat', 'event']);
    expect(lines.map((l) => Object.values(l)[0]?.revision)).toEqual(['10', '11', '15', '12']);
    expect(cli.stderr.text).toBe('strata: UNAVAILABLE: 14 UNAVAILABLE: connection dropped; reconnecting in 0.0s from revision 11\n');
  });

  it('gives up with the exit code of a non-retryable error, e.g. NOT_FOUND for an unknown model', async () => {
    const registry = fakeRegistry({
      // eslint-disable-next-line require-yield -- fails before its first message
      async *watchReleases() {
        throw grpcError(status.NOT_FOUND, 'model nope not found');
      },
    });
    const cli = fakeCli(registry);
    expect(await runCli(['releases', 'watch', '--model', 'nope'], cli.deps)).toBe(ExitCode.NotFound);
  });

  it('prints human lines for snapshots and events, not heartbeats', async () => {
    const registry = fakeRegistry({
      async *watchReleases() {
        yield snapshot('3');
        yield heartbeat('3');
        yield event('4');
        cli.interrupt();
      },
    });
    const cli = fakeCli(registry);
    expect(await runCli(['releases', 'watch'], cli.deps)).toBe(0);
    expect(cli.stdout.text).toBe(
      'snapshot at rev 3: 0 model(s)\nrev 4  2026-11-18 11:06:40Z  m  alias production -> v4 (was new) sha256 abababababab  by ci-bot: r\n',
    );
  });
});

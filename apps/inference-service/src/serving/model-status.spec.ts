import { DEFAULT_TRAFFIC_POLICY } from '../releases/release-state';
import { modelStatusOf } from './model-status';

describe(modelStatusOf.name, () => {
  const loadedAt = new Date('2026-11-29T00:00:00Z');
  const failure = { version: 3, reason: 'WARMUP_FAILED', message: 'boom', at: loadedAt };

  it('lists each version once with its aliases, and the failed attempt with its error', () => {
    const view = modelStatusOf(
      'm',
      [
        { alias: 'canary', version: 2, sha256: 'b', loadedAt, inFlight: 1 },
        { alias: 'production', version: 2, sha256: 'b', loadedAt, inFlight: 2, lastFailure: failure },
      ],
      DEFAULT_TRAFFIC_POLICY,
    );
    expect(view.versions).toEqual([
      { version: 2, state: 'ready', aliases: ['canary', 'production'], sha256: 'b', readyAt: loadedAt, inFlight: 3, lastLoadError: '' },
      { version: 3, state: 'failed', aliases: [], sha256: '', inFlight: 0, lastLoadError: 'WARMUP_FAILED: boom' },
    ]);
    expect(view.ready).toBe(true);
  });

  it('shows a version being loaded as loading, also when an earlier attempt of it failed, never over a ready one', () => {
    const aliases = [{ alias: 'production', version: 2, sha256: 'b', loadedAt, inFlight: 0, lastFailure: failure }];
    const view = modelStatusOf('m', aliases, DEFAULT_TRAFFIC_POLICY, [
      { alias: 'production', version: 3 },
      { alias: 'canary', version: 2 },
    ]);
    expect(view.versions.map((version) => [version.version, version.state, version.lastLoadError])).toEqual([
      [2, 'ready', ''],
      [3, 'loading', 'WARMUP_FAILED: boom'],
    ]);
  });
});

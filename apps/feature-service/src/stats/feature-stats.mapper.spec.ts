import type { FeatureSetStatistics } from './feature-stats';
import { toFeatureStatsResponse } from './feature-stats.mapper';

function someStatistics(overrides: Partial<FeatureSetStatistics> = {}): FeatureSetStatistics {
  return {
    contract: { name: 'airport_delay_stats', version: 1, digest: `sha256:${'f'.repeat(64)}` },
    entityCount: 3,
    computedAt: new Date('2026-01-01T00:00:00.000Z'),
    features: [
      { name: 'avg_delay', count: 3, nullRate: 1 / 3, min: -2, max: 40.5, mean: 19.25, latestEventTime: new Date('2025-12-31T23:59:58.500Z'), freshnessLagMs: 1500 },
      { name: 'last_origin', count: 3, nullRate: 0 },
    ],
    ...overrides,
  };
}

describe(toFeatureStatsResponse.name, () => {
  it('maps counts as int64 strings, the lag as a Duration and leaves absent numbers unset', () => {
    const response = toFeatureStatsResponse(someStatistics());
    expect(response.contract).toEqual({ featureSet: { name: 'airport_delay_stats', version: 1 }, digest: `sha256:${'f'.repeat(64)}` });
    expect(response.entityCount).toBe('3');
    expect(response.features[0]).toEqual({
      name: 'avg_delay',
      count: '3',
      nullRate: 1 / 3,
      min: -2,
      max: 40.5,
      mean: 19.25,
      freshnessLag: { seconds: '1', nanos: 500_000_000 },
      latestEventTime: { seconds: String(Date.parse('2025-12-31T23:59:58Z') / 1000), nanos: 500_000_000 },
    });
    expect(response.features[1]).toEqual({ name: 'last_origin', count: '3', nullRate: 0, freshnessLag: null, latestEventTime: null });
  });
});

import { VersionComparison, type VersionComparisonInit } from './version-comparison';

const WINDOW_START = new Date('2026-01-01T00:00:00Z');

function aComparison(overrides: Partial<VersionComparisonInit> = {}): VersionComparison {
  return new VersionComparison({
    kind: 'shadow',
    primary: { alias: 'production', version: 3 },
    candidate: { alias: 'shadow', version: 4 },
    windowStart: WINDOW_START,
    ...overrides,
  });
}

describe(VersionComparison.name, () => {
  it('reports the versions, the window start and no agreement while no pair was compared', () => {
    const view = aComparison().view();
    expect(view).toEqual({
      kind: 'shadow',
      primaryAlias: 'production',
      primaryVersion: 3,
      candidateAlias: 'shadow',
      candidateVersion: 4,
      sampleCount: 0,
      pairedSampleCount: 0,
      p50LatencyDeltaUs: 0,
      p99LatencyDeltaUs: 0,
      errorRateDelta: 0,
      windowStart: WINDOW_START,
    });
    expect('agreementRate' in view).toBe(false);
    expect('meanAbsDiff' in view).toBe(false);
  });

  it('rates agreement over rows and the mean absolute difference over elements', () => {
    const comparison = aComparison();
    comparison.recordOutputs({ rows: 1, agreeingRows: 1, absDiffSum: 0.2, comparedElements: 2 });
    comparison.recordOutputs({ rows: 3, agreeingRows: 2, absDiffSum: 0.6, comparedElements: 6 });
    const view = comparison.view();
    expect(view.pairedSampleCount).toBe(2);
    expect(view.agreementRate).toBe(0.75);
    expect(view.meanAbsDiff).toBeCloseTo(0.1, 12);
  });

  it('leaves the mean difference unset when only labels were compared', () => {
    const comparison = aComparison();
    comparison.recordOutputs({ rows: 2, agreeingRows: 2, absDiffSum: 0, comparedElements: 0 });
    expect(comparison.view().agreementRate).toBe(1);
    expect(comparison.view().meanAbsDiff).toBeUndefined();
  });

  it('reports latency deltas as candidate minus primary over successful requests', () => {
    const comparison = aComparison();
    for (let index = 1; index <= 100; index++) {
      comparison.recordPrimary(1_000, true);
      comparison.recordCandidate(index === 100 ? 50_000 : 1_500, true);
    }
    comparison.recordCandidate(1, false); // a failure's latency is not a latency sample
    const view = comparison.view();
    expect(view.sampleCount).toBe(101);
    expect(Math.abs(view.p50LatencyDeltaUs - 500)).toBeLessThanOrEqual(1_500 / 64);
    expect(view.p99LatencyDeltaUs).toBeLessThan(1_000);
    comparison.recordCandidate(50_000, true);
    expect(Math.abs(comparison.view().p99LatencyDeltaUs - 49_000)).toBeLessThanOrEqual(50_000 / 64);
  });

  it('reports a negative delta when the candidate is faster', () => {
    const comparison = aComparison();
    comparison.recordPrimary(2_000, true);
    comparison.recordCandidate(40, true);
    expect(comparison.view().p50LatencyDeltaUs).toBe(40 - 2_000);
  });

  it('reports the error rate delta as candidate minus primary, 0 while one side has no request', () => {
    const comparison = aComparison();
    comparison.recordCandidate(10, false);
    expect(comparison.view().errorRateDelta).toBe(0);
    for (let index = 0; index < 4; index++) comparison.recordPrimary(10, index !== 0);
    for (let index = 0; index < 3; index++) comparison.recordCandidate(10, true);
    // candidate 1/4 failed, primary 1/4 failed
    expect(comparison.view().errorRateDelta).toBe(0);
    comparison.recordCandidate(10, false);
    comparison.recordCandidate(10, false);
    comparison.recordCandidate(10, false);
    expect(comparison.view().errorRateDelta).toBeCloseTo(4 / 7 - 1 / 4, 12);
  });
});

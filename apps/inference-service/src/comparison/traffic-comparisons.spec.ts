import type { InferenceTensor } from '../model-runtime/tensors';
import type { InferenceOutputs } from './output-comparison';
import { type PairedCandidateRun, type PairedRun, TrafficComparisons } from './traffic-comparisons';

const MODEL = 'flights-delay';

// A clock the test moves by hand.
function manualClock(start = Date.parse('2026-01-01T00:00:00Z')): { now: () => Date; advance: (ms: number) => void } {
  let current = start;
  return { now: () => new Date(current), advance: (ms) => (current += ms) };
}

function scores(...rows: [number, number][]): InferenceOutputs {
  const tensor: InferenceTensor = { datatype: 'FP32', shape: [rows.length, 2], data: rows.flat() };
  return { probabilities: tensor };
}

function aPrimaryRun(overrides: Partial<PairedRun> = {}): PairedRun {
  return { alias: 'production', version: 3, outputs: scores([0.8, 0.2]), latencyUs: 1_000, ...overrides } as PairedRun;
}

function aShadowRun(overrides: Partial<PairedCandidateRun> = {}): PairedCandidateRun {
  return { kind: 'shadow', alias: 'shadow', version: 4, outputs: scores([0.7, 0.3]), latencyUs: 1_200, ...overrides } as PairedCandidateRun;
}

describe(TrafficComparisons.name, () => {
  it('has no comparison for a model without candidates', () => {
    const book = new TrafficComparisons();
    book.recordLive(MODEL, 'production', 3, 900, true);
    expect(book.comparisons(MODEL)).toEqual([]);
    expect(book.comparisons('unknown-model')).toEqual([]);
  });

  it('compares a shadow with production from the mirrored pairs only', () => {
    const clock = manualClock();
    const book = new TrafficComparisons({ now: clock.now });
    book.recordLive(MODEL, 'production', 3, 5_000, true); // live records do not feed shadow latency
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun());
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun({ outputs: scores([0.1, 0.9]) }));
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun({ outputs: undefined, error: new Error('boom') }));
    const [view, ...others] = book.comparisons(MODEL);
    expect(others).toEqual([]);
    expect(view).toMatchObject({
      kind: 'shadow',
      primaryAlias: 'production',
      primaryVersion: 3,
      candidateAlias: 'shadow',
      candidateVersion: 4,
      sampleCount: 3,
      pairedSampleCount: 2,
      agreementRate: 0.5,
      p50LatencyDeltaUs: 200,
      p99LatencyDeltaUs: 200,
      windowStart: clock.now(),
    });
    expect(view?.errorRateDelta).toBeCloseTo(1 / 3, 12);
    expect(view?.meanAbsDiff).toBeCloseTo((0.1 + 0.1 + 0.7 + 0.7) / 4, 6);
  });

  it('compares a canary with production from the live records of each alias', () => {
    const book = new TrafficComparisons();
    book.recordLive(MODEL, 'production', 3, 1_000, true);
    book.recordLive(MODEL, 'canary', 5, 1_300, true);
    for (let index = 0; index < 9; index++) book.recordLive(MODEL, 'production', 3, 1_000, true);
    book.recordLive(MODEL, 'production', 3, 1_000, false);
    book.recordLive(MODEL, 'canary', 5, 1_300, false);
    const [view] = book.comparisons(MODEL);
    expect(view).toMatchObject({ kind: 'canary', primaryVersion: 3, candidateAlias: 'canary', candidateVersion: 5, sampleCount: 2, pairedSampleCount: 0, p50LatencyDeltaUs: 300 });
    // production's first request came before the canary's window opened: 1 error in 10
    expect(view?.errorRateDelta).toBeCloseTo(1 / 2 - 1 / 10, 12);
    expect(view?.agreementRate).toBeUndefined();
  });

  it('adds agreement to a canary from canary requests re-run on production, without their latencies', () => {
    const book = new TrafficComparisons();
    book.recordLive(MODEL, 'production', 3, 1_000, true);
    book.recordLive(MODEL, 'canary', 5, 1_000, true);
    book.recordPair(MODEL, aPrimaryRun({ latencyUs: 90_000 }), { kind: 'canary', alias: 'canary', version: 5, outputs: scores([0.9, 0.1]), latencyUs: 1 });
    const [view] = book.comparisons(MODEL);
    expect(view).toMatchObject({ kind: 'canary', sampleCount: 1, pairedSampleCount: 1, agreementRate: 1, p50LatencyDeltaUs: 0 });
  });

  it('lists canaries first, then shadows, by alias', () => {
    const book = new TrafficComparisons();
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun());
    book.recordLive(MODEL, 'canary-b', 6, 1, true);
    book.recordLive(MODEL, 'canary-a', 5, 1, true);
    expect(book.comparisons(MODEL).map((view) => `${view.kind}:${view.candidateAlias}`)).toEqual(['canary:canary-a', 'canary:canary-b', 'shadow:shadow']);
  });

  it('restarts the window when the candidate version changes', () => {
    const clock = manualClock();
    const book = new TrafficComparisons({ now: clock.now });
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun());
    clock.advance(60_000);
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun({ version: 7, outputs: scores([0.1, 0.9]) }));
    expect(book.comparisons(MODEL)).toEqual([expect.objectContaining({ candidateVersion: 7, sampleCount: 1, agreementRate: 0, windowStart: clock.now() })]);
  });

  it('restarts every window of the model when production moves', () => {
    const clock = manualClock();
    const book = new TrafficComparisons({ now: clock.now });
    book.recordLive(MODEL, 'production', 3, 1_000, true);
    book.recordLive(MODEL, 'canary', 5, 1_000, true);
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun());
    clock.advance(60_000);
    book.recordLive(MODEL, 'production', 4, 1_000, true);
    expect(book.comparisons(MODEL)).toEqual([
      expect.objectContaining({ kind: 'canary', primaryVersion: 4, candidateVersion: 5, sampleCount: 0, windowStart: clock.now() }),
      expect.objectContaining({ kind: 'shadow', primaryVersion: 4, candidateVersion: 4, sampleCount: 0, pairedSampleCount: 0, windowStart: clock.now() }),
    ]);
  });

  it('ignores stragglers of the version just replaced, then accepts a rollback after the grace period', () => {
    const clock = manualClock();
    const book = new TrafficComparisons({ now: clock.now, staleVersionGraceMs: 30_000 });
    book.recordPair(MODEL, aPrimaryRun({ version: 3 }), aShadowRun());
    book.recordPair(MODEL, aPrimaryRun({ version: 4 }), aShadowRun());
    const windowStart = clock.now();
    clock.advance(1_000);
    book.recordPair(MODEL, aPrimaryRun({ version: 3 }), aShadowRun()); // in flight on the old session
    book.recordPair(MODEL, aPrimaryRun({ version: 4 }), aShadowRun());
    expect(book.comparisons(MODEL)).toEqual([expect.objectContaining({ primaryVersion: 4, sampleCount: 2, windowStart })]);
    clock.advance(30_000);
    book.recordPair(MODEL, aPrimaryRun({ version: 3 }), aShadowRun()); // rolled back
    expect(book.comparisons(MODEL)).toEqual([expect.objectContaining({ primaryVersion: 3, sampleCount: 1, windowStart: clock.now() })]);
  });

  it('learns production version when the canary was seen first', () => {
    const book = new TrafficComparisons();
    book.recordLive(MODEL, 'canary', 5, 1_000, true);
    expect(book.comparisons(MODEL)[0]).toMatchObject({ primaryVersion: 0, candidateVersion: 5 });
    book.recordLive(MODEL, 'production', 3, 1_000, true);
    book.recordLive(MODEL, 'canary', 5, 1_000, true);
    expect(book.comparisons(MODEL)[0]).toMatchObject({ primaryVersion: 3, sampleCount: 1 });
  });

  it('keeps models apart and forgets a candidate or a whole model', () => {
    const book = new TrafficComparisons();
    book.recordPair(MODEL, aPrimaryRun(), aShadowRun());
    book.recordLive(MODEL, 'canary', 5, 1, true);
    book.recordPair('churn', aPrimaryRun(), aShadowRun());
    book.forget(MODEL, 'shadow');
    expect(book.comparisons(MODEL).map((view) => view.kind)).toEqual(['canary']);
    expect(book.comparisons('churn')).toHaveLength(1);
    book.forget('churn');
    expect(book.comparisons('churn')).toEqual([]);
  });

  it('rejects a negative grace period naming the option', () => {
    expect(() => new TrafficComparisons({ staleVersionGraceMs: -1 })).toThrow('staleVersionGraceMs is -1, expected a number of milliseconds >= 0');
  });
});

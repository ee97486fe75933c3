import { FetchBreaker } from './fetch-breaker';

describe(FetchBreaker.name, () => {
  let clock: number;
  const breaker = (): FetchBreaker => new FetchBreaker({ failureThreshold: 3, openMs: 1_000, now: () => clock });

  beforeEach(() => {
    clock = 0;
  });

  it('opens after the threshold of consecutive failures, and a success in between resets the count', () => {
    const subject = breaker();
    subject.failure('route_stats');
    subject.failure('route_stats');
    subject.success('route_stats');
    subject.failure('route_stats');
    subject.failure('route_stats');
    expect(subject.allow('route_stats')).toBe(true);
    subject.failure('route_stats');
    expect(subject.state('route_stats')).toBe('open');
    expect(subject.allow('route_stats')).toBe(false);
    expect(subject.allow('airport_stats')).toBe(true); // per feature set
  });

  it('lets exactly one probe out after openMs; its success closes the breaker, its failure opens it again', () => {
    const subject = breaker();
    for (let i = 0; i < 3; i += 1) subject.failure('route_stats');
    clock = 999;
    expect(subject.allow('route_stats')).toBe(false);
    clock = 1_000;
    expect(subject.state('route_stats')).toBe('half-open');
    expect(subject.allow('route_stats')).toBe(true);
    expect(subject.allow('route_stats')).toBe(false); // the probe is out
    subject.failure('route_stats');
    expect(subject.allow('route_stats')).toBe(false);
    clock = 2_000;
    expect(subject.allow('route_stats')).toBe(true);
    subject.success('route_stats');
    expect(subject.state('route_stats')).toBe('closed');
    expect(subject.allow('route_stats')).toBe(true);
  });

  it('refuses nonsense options', () => {
    expect(() => new FetchBreaker({ failureThreshold: 0 })).toThrow('failureThreshold must be an integer >= 1, got 0');
    expect(() => new FetchBreaker({ openMs: -1 })).toThrow('openMs must be >= 0, got -1');
  });
});

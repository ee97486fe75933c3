import { status } from '@grpc/grpc-js';

import { breakerOutcomeOf, InferenceBreaker } from './inference-breaker';

function aClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 10_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

function aBreaker(clock = aClock()): { breaker: InferenceBreaker; clock: ReturnType<typeof aClock> } {
  return { breaker: new InferenceBreaker({ clock: clock.now, failureThreshold: 3, openMs: 250, probeTimeoutMs: 1_000 }), clock };
}

function fail(breaker: InferenceBreaker, times: number): void {
  for (let i = 0; i < times; i += 1) breaker.tryPass()!.report('failure');
}

describe(InferenceBreaker.name, () => {
  it('opens after the threshold of consecutive failures and refuses every call while open', () => {
    const { breaker } = aBreaker();
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    fail(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(breaker.tryPass()).toBeUndefined();
    expect(breaker.retryAfterMs()).toBe(250);
  });

  it('resets the failure count on a success', () => {
    const { breaker } = aBreaker();
    fail(breaker, 2);
    breaker.tryPass()!.report('success');
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after openMs and closes when it succeeds', () => {
    const { breaker, clock } = aBreaker();
    fail(breaker, 3);
    clock.advance(100);
    expect(breaker.retryAfterMs()).toBe(150);
    clock.advance(150);
    expect(breaker.state).toBe('half-open');
    const probe = breaker.tryPass();
    expect(probe).toBeDefined();
    expect(breaker.tryPass()).toBeUndefined();
    expect(breaker.retryAfterMs()).toBe(250);
    probe!.report('success');
    expect(breaker.state).toBe('closed');
    expect(breaker.tryPass()).toBeDefined();
    expect(breaker.retryAfterMs()).toBe(0);
  });

  it('re-opens for another openMs when the probe fails', () => {
    const { breaker, clock } = aBreaker();
    fail(breaker, 3);
    clock.advance(250);
    breaker.tryPass()!.report('failure');
    expect(breaker.state).toBe('open');
    clock.advance(249);
    expect(breaker.tryPass()).toBeUndefined();
    clock.advance(1);
    expect(breaker.tryPass()).toBeDefined();
  });

  it('admits another probe when one never reports within probeTimeoutMs', () => {
    const { breaker, clock } = aBreaker();
    fail(breaker, 3);
    clock.advance(250);
    expect(breaker.tryPass()).toBeDefined();
    clock.advance(999);
    expect(breaker.tryPass()).toBeUndefined();
    clock.advance(1);
    expect(breaker.tryPass()).toBeDefined();
  });

  it('stays half-open after a neutral probe and admits the next probe', () => {
    const { breaker, clock } = aBreaker();
    fail(breaker, 3);
    clock.advance(250);
    breaker.tryPass()!.report('neutral');
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryPass()).toBeDefined();
  });

  it('opens at once when told the channel is down, and probes at once when it is up again', () => {
    const { breaker, clock } = aBreaker();
    breaker.channelDown();
    expect(breaker.tryPass()).toBeUndefined();
    clock.advance(100);
    breaker.channelDown();
    expect(breaker.retryAfterMs()).toBe(150);
    breaker.channelUp();
    const probe = breaker.tryPass();
    expect(probe).toBeDefined();
    probe!.report('success');
    expect(breaker.state).toBe('closed');
  });

  it('ignores outcomes of calls admitted before the last state change', () => {
    const { breaker, clock } = aBreaker();
    const stale = [breaker.tryPass()!, breaker.tryPass()!, breaker.tryPass()!, breaker.tryPass()!];
    breaker.channelDown();
    stale[0].report('success');
    expect(breaker.state).toBe('open');
    clock.advance(250);
    breaker.tryPass()!.report('success');
    for (const pass of stale.slice(1)) pass.report('failure');
    expect(breaker.state).toBe('closed');
  });

  it('counts a report once', () => {
    const { breaker } = aBreaker();
    const pass = breaker.tryPass()!;
    pass.report('failure');
    pass.report('failure');
    pass.report('failure');
    expect(breaker.state).toBe('closed');
  });

  describe('calls that ran out of time (slow)', () => {
    it('does not open while other calls succeed during theirs: the upstream is slow, not down', () => {
      const { breaker, clock } = aBreaker();
      for (let round = 0; round < 3; round += 1) {
        const slow = [breaker.tryPass()!, breaker.tryPass()!, breaker.tryPass()!, breaker.tryPass()!];
        clock.advance(400);
        breaker.tryPass()!.report('success');
        clock.advance(600);
        for (const pass of slow) pass.report('slow');
      }
      expect(breaker.state).toBe('closed');
    });

    it('opens when nothing succeeded while they were in flight', () => {
      const { breaker, clock } = aBreaker();
      breaker.tryPass()!.report('success');
      clock.advance(1);
      const slow = [breaker.tryPass()!, breaker.tryPass()!, breaker.tryPass()!];
      clock.advance(1_000);
      for (const pass of slow) pass.report('slow');
      expect(breaker.state).toBe('open');
    });

    it('counts a success reported by a call admitted before the last state change as an answer', () => {
      const { breaker, clock } = aBreaker();
      const stale = breaker.tryPass()!;
      fail(breaker, 3);
      clock.advance(250);
      const probe = breaker.tryPass()!;
      stale.report('success');
      probe.report('slow');
      expect(breaker.state).toBe('half-open');
      clock.advance(1);
      breaker.tryPass()!.report('slow');
      expect(breaker.state).toBe('open');
    });
  });

  it('defaults to a 250 ms open period', () => {
    const clock = aClock();
    const breaker = new InferenceBreaker({ clock: clock.now });
    breaker.channelDown();
    expect(breaker.retryAfterMs()).toBe(250);
  });
});

describe('breakerOutcomeOf', () => {
  it.each([
    [status.OK, {}, 'success'],
    [status.NOT_FOUND, {}, 'success'],
    [status.INVALID_ARGUMENT, {}, 'success'],
    [status.RESOURCE_EXHAUSTED, {}, 'success'],
    [status.UNAVAILABLE, {}, 'failure'],
    [status.UNAVAILABLE, { answered: true }, 'success'],
    [status.UNAVAILABLE, { answered: false }, 'failure'],
    [undefined, {}, 'failure'],
    [status.INTERNAL, {}, 'success'],
    [status.DEADLINE_EXCEEDED, {}, 'slow'],
    [status.DEADLINE_EXCEEDED, { callerLimited: true }, 'neutral'],
    [status.CANCELLED, {}, 'neutral'],
  ])('maps code %p (%p) to %p', (code, options, outcome) => {
    expect(breakerOutcomeOf(code, options)).toBe(outcome);
  });
});

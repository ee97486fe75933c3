import fc from 'fast-check';

import { type RateLimit, TokenBucketLimiter } from './token-bucket';

function aClock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

const tenPerSecond: RateLimit = { perSecond: 10, burst: 3 };

describe(TokenBucketLimiter.name, () => {
  it('allows a full burst, then refuses with the time until the next token', () => {
    const clock = aClock();
    const limiter = new TokenBucketLimiter({ clock: clock.now });
    expect([1, 2, 3].map(() => limiter.take('k1', tenPerSecond))).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    expect(limiter.take('k1', tenPerSecond)).toEqual({ allowed: false, retryAfterMs: 100 });
    clock.advance(40);
    expect(limiter.take('k1', tenPerSecond)).toEqual({ allowed: false, retryAfterMs: 60 });
    clock.advance(60);
    expect(limiter.take('k1', tenPerSecond)).toEqual({ allowed: true });
  });

  it('keeps one bucket per key', () => {
    const limiter = new TokenBucketLimiter({ clock: aClock().now });
    for (let i = 0; i < 3; i += 1) limiter.take('k1', tenPerSecond);
    expect(limiter.take('k1', tenPerSecond).allowed).toBe(false);
    expect(limiter.take('k2', tenPerSecond).allowed).toBe(true);
  });

  it('charges a cost of several tokens and refuses without spending', () => {
    const clock = aClock();
    const limiter = new TokenBucketLimiter({ clock: clock.now });
    expect(limiter.take('k', tenPerSecond, 2)).toEqual({ allowed: true });
    expect(limiter.take('k', tenPerSecond, 2)).toEqual({ allowed: false, retryAfterMs: 100 });
    expect(limiter.take('k', tenPerSecond, 1)).toEqual({ allowed: true });
  });

  it('applies a lowered limit at once, capping saved tokens at the new burst', () => {
    const clock = aClock();
    const limiter = new TokenBucketLimiter({ clock: clock.now });
    limiter.take('k', { perSecond: 100, burst: 100 });
    expect(limiter.take('k', { perSecond: 1, burst: 1 })).toEqual({ allowed: true });
    expect(limiter.take('k', { perSecond: 1, burst: 1 })).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it('applies a raised rate at once without granting a free burst', () => {
    const clock = aClock();
    const limiter = new TokenBucketLimiter({ clock: clock.now });
    limiter.take('k', { perSecond: 1, burst: 1 });
    expect(limiter.take('k', { perSecond: 1000, burst: 50 })).toEqual({ allowed: false, retryAfterMs: 1 });
    clock.advance(10);
    expect(limiter.take('k', { perSecond: 1000, burst: 50 }).allowed).toBe(true);
  });

  it('drops idle buckets once they have refilled, bounding memory without changing answers', () => {
    const clock = aClock();
    const limiter = new TokenBucketLimiter({ clock: clock.now });
    for (let i = 0; i < 100; i += 1) limiter.take(`key-${i}`, tenPerSecond);
    expect(limiter.size).toBe(100);
    clock.advance(1_000);
    for (let i = 0; i < 25; i += 1) limiter.take('busy', { perSecond: 1_000, burst: 1_000 });
    expect(limiter.size).toBe(100 - 2 * 25 + 1);
    for (let i = 0; i < 25; i += 1) limiter.take('busy', { perSecond: 1_000, burst: 1_000 });
    expect(limiter.size).toBe(1);
  });

  it('never holds more than maxKeys buckets', () => {
    const limiter = new TokenBucketLimiter({ clock: aClock().now, maxKeys: 10 });
    for (let i = 0; i < 1_000; i += 1) limiter.take(`key-${i}`, tenPerSecond);
    expect(limiter.size).toBe(10);
  });

  it('does not drain when the clock steps back', () => {
    const clock = aClock();
    const limiter = new TokenBucketLimiter({ clock: clock.now });
    limiter.take('k', tenPerSecond);
    clock.advance(-5_000);
    expect(limiter.take('k', tenPerSecond).allowed).toBe(true);
    expect(limiter.take('k', tenPerSecond).allowed).toBe(true);
  });

  it.each([
    ['a zero rate', { perSecond: 0, burst: 1 }, 1],
    ['an infinite rate', { perSecond: Infinity, burst: 1 }, 1],
    ['a burst below 1', { perSecond: 1, burst: 0.5 }, 1],
    ['a cost above the burst', { perSecond: 1, burst: 2 }, 3],
    ['a zero cost', { perSecond: 1, burst: 2 }, 0],
  ])('refuses %s', (_, limit, cost) => {
    expect(() => new TokenBucketLimiter().take('k', limit, cost)).toThrow(RangeError);
  });

  it('never allows more than burst + rate × elapsed (seeded property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 200 }),
        (perSecond, burst, steps) => {
          const clock = aClock(0);
          const limiter = new TokenBucketLimiter({ clock: clock.now, maxKeys: 1 });
          let spent = 0;
          let elapsed = 0;
          for (const [advance, cost] of steps) {
            clock.advance(advance);
            elapsed += advance;
            const result = limiter.take('k', { perSecond, burst }, Math.min(cost, burst));
            if (result.allowed) spent += Math.min(cost, burst);
            else expect(result.retryAfterMs).toBeGreaterThanOrEqual(1);
            expect(spent).toBeLessThanOrEqual(burst + (perSecond * elapsed) / 1000 + 1e-9);
          }
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('allows again exactly after the advertised retry delay (seeded property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 20 }), (perSecond, burst) => {
        const clock = aClock(0);
        const limiter = new TokenBucketLimiter({ clock: clock.now });
        for (let i = 0; i < burst; i += 1) limiter.take('k', { perSecond, burst });
        const refused = limiter.take('k', { perSecond, burst });
        if (refused.allowed) throw new Error('expected a refusal after the burst');
        clock.advance(refused.retryAfterMs);
        expect(limiter.take('k', { perSecond, burst }).allowed).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});

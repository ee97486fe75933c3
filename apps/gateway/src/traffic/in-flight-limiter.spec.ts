import { InFlightLimiter } from './in-flight-limiter';

describe(InFlightLimiter.name, () => {
  it('sheds at once at the cap and admits again after a release', () => {
    const limiter = new InFlightLimiter(2);
    const first = limiter.tryAcquire();
    const second = limiter.tryAcquire();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(limiter.tryAcquire()).toBeUndefined();
    expect(limiter.inFlight).toBe(2);
    first!();
    expect(limiter.inFlight).toBe(1);
    expect(limiter.tryAcquire()).toBeDefined();
  });

  it('ignores a second release of the same slot', () => {
    const limiter = new InFlightLimiter(1);
    const release = limiter.tryAcquire()!;
    release();
    release();
    expect(limiter.inFlight).toBe(0);
    limiter.tryAcquire();
    expect(limiter.tryAcquire()).toBeUndefined();
  });

  it.each([0, -1, 1.5, NaN])('refuses a cap of %p', (max) => {
    expect(() => new InFlightLimiter(max)).toThrow(RangeError);
  });
});

describe(`${InFlightLimiter.name} (adaptive)`, () => {
  let now = 0;
  const clock = (): number => now;
  const adaptive = (max: number, minLimit = 2): InFlightLimiter => new InFlightLimiter(max, { latencyTargetMs: 100, minLimit, clock });
  const acquireAll = (limiter: InFlightLimiter, count: number): (() => void)[] =>
    Array.from({ length: count }, () => {
      const release = limiter.tryAcquire();
      if (release === undefined) throw new Error('shed');
      return release;
    });

  beforeEach(() => {
    now = 0;
  });

  it('starts at max and halves when a request takes longer than the target, once per queue', () => {
    const limiter = adaptive(16);
    expect(limiter.limit).toBe(16);
    const slots = acquireAll(limiter, 16);
    expect(limiter.tryAcquire()).toBeUndefined();
    now = 150;
    slots[0]!();
    expect(limiter.limit).toBe(8);
    // The others were admitted before the decrease: they waited in the queue it drains.
    for (const release of slots.slice(1)) release();
    expect(limiter.limit).toBe(8);
    expect(limiter.inFlight).toBe(0);
  });

  it('halves again when a request admitted after the decrease is still slow, down to the floor', () => {
    const limiter = adaptive(16, 3);
    let release = limiter.tryAcquire()!;
    for (const expected of [8, 4, 3, 3]) {
      now += 150;
      release();
      expect(limiter.limit).toBe(expected);
      release = limiter.tryAcquire()!;
    }
    release();
  });

  it('sheds at the lowered limit and raises it by one per fast completion, back to max', () => {
    const limiter = adaptive(16);
    const release = limiter.tryAcquire()!;
    now += 150;
    release();
    expect(limiter.limit).toBe(8);
    const slots = acquireAll(limiter, 8);
    expect(limiter.tryAcquire()).toBeUndefined();
    now += 10;
    slots[0]!();
    expect(limiter.limit).toBe(9);
    for (const slot of slots.slice(1)) slot();
    expect(limiter.limit).toBe(16);
    for (let i = 0; i < 4; i += 1) limiter.tryAcquire()!();
    expect(limiter.limit).toBe(16);
  });

  it('never rises above max', () => {
    const limiter = adaptive(2);
    const [a, b] = acquireAll(limiter, 2);
    a!();
    b!();
    expect(limiter.limit).toBe(2);
  });

  it('counts a slot released twice once', () => {
    const limiter = adaptive(4);
    const release = limiter.tryAcquire()!;
    now += 150;
    release();
    release();
    expect(limiter.limit).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it.each([
    [{ latencyTargetMs: 100, minLimit: 0 }],
    [{ latencyTargetMs: 0, minLimit: 1 }],
  ])('refuses %p', (settings) => {
    expect(() => new InFlightLimiter(4, settings)).toThrow(RangeError);
  });
});

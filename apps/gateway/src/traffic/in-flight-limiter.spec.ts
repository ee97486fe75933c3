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

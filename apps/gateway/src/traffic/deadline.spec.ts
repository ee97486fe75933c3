import { DEFAULT_DEADLINE_MS, effectiveDeadline, grpcCallerTimeoutMs, MAX_DEADLINE_MS, parseRequestTimeoutHeader, remainingMs } from './deadline';

describe('effectiveDeadline', () => {
  const now = 50_000;

  it('applies the 1 s default when the caller sets none', () => {
    expect(effectiveDeadline(undefined, now)).toBe(now + DEFAULT_DEADLINE_MS);
  });

  it('lets a shorter caller timeout win', () => {
    expect(effectiveDeadline(20, now)).toBe(now + 20);
  });

  it('accepts a longer caller timeout up to the 30 s cap', () => {
    expect(effectiveDeadline(5_000, now)).toBe(now + 5_000);
    expect(effectiveDeadline(120_000, now)).toBe(now + MAX_DEADLINE_MS);
    expect(effectiveDeadline(Infinity, now)).toBe(now + MAX_DEADLINE_MS);
  });

  it('treats an already expired caller deadline as now', () => {
    expect(effectiveDeadline(-30, now)).toBe(now);
  });

  it('follows a given policy', () => {
    expect(effectiveDeadline(undefined, now, { defaultMs: 200, maxMs: 500 })).toBe(now + 200);
    expect(effectiveDeadline(900, now, { defaultMs: 200, maxMs: 500 })).toBe(now + 500);
  });
});

describe('remainingMs', () => {
  it('never goes below zero', () => {
    expect(remainingMs(100, 40)).toBe(60);
    expect(remainingMs(100, 140)).toBe(0);
  });
});

describe('grpcCallerTimeoutMs', () => {
  it('reads a Date or epoch-ms deadline and Infinity as none', () => {
    expect(grpcCallerTimeoutMs(new Date(10_250), 10_000)).toBe(250);
    expect(grpcCallerTimeoutMs(10_250, 10_000)).toBe(250);
    expect(grpcCallerTimeoutMs(Infinity, 10_000)).toBeUndefined();
  });
});

describe('parseRequestTimeoutHeader', () => {
  it.each([
    [undefined, { timeoutMs: undefined }],
    ['250', { timeoutMs: 250 }],
    [' 1 ', { timeoutMs: 1 }],
    [['75'], { timeoutMs: 75 }],
    ['999999999', { timeoutMs: 999_999_999 }],
  ])('reads %p', (value, expected) => {
    expect(parseRequestTimeoutHeader(value)).toEqual(expected);
  });

  it.each(['', '0', '-5', '1.5', '100ms', '1e3', '1234567890', 'abc'])('refuses %p', (value) => {
    expect(parseRequestTimeoutHeader(value)).toEqual({ invalid: expect.stringContaining('x-request-timeout-ms must be') });
  });

  it('refuses a header sent twice', () => {
    expect(parseRequestTimeoutHeader(['1', '2'])).toEqual({ invalid: expect.stringContaining('sent 2 times') });
  });
});

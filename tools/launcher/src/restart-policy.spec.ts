import { RestartPolicy, type RestartPolicyOptions } from './restart-policy';

const SECOND = 1_000;
const MINUTE = 60_000;

function aPolicy(overrides: Partial<RestartPolicyOptions> = {}): RestartPolicy {
  return new RestartPolicy({ initialDelayMs: SECOND, maxDelayMs: 30 * SECOND, maxRestarts: 5, windowMs: 10 * MINUTE, stableAfterMs: MINUTE, ...overrides });
}

describe(RestartPolicy.name, () => {
  it('restarts after 1 s, 2 s, 4 s, 8 s, 16 s and gives up on the sixth crash in a row', () => {
    const policy = aPolicy();
    policy.onServing(0);
    const decisions = [1, 2, 3, 4, 5, 6].map((n) => policy.onCrash(n * SECOND));
    expect(decisions.slice(0, 5)).toEqual([1, 2, 4, 8, 16].map((s, index) => ({ action: 'restart', delayMs: s * SECOND, restart: index + 1, maxRestarts: 5 })));
    expect(decisions[5]).toEqual({ action: 'give-up', crashes: 6, windowMs: 10 * MINUTE });
  });

  it('caps the delay at maxDelayMs', () => {
    const policy = aPolicy({ maxRestarts: 10, maxDelayMs: 5 * SECOND });
    const delays = [1, 2, 3, 4, 5].map((n) => policy.onCrash(n));
    expect(delays.map((d) => (d.action === 'restart' ? d.delayMs : undefined))).toEqual([1, 2, 4, 5, 5].map((s) => s * SECOND));
  });

  it('counts from one again when the service was SERVING for stableAfterMs before it crashed', () => {
    const policy = aPolicy();
    policy.onCrash(0);
    policy.onCrash(10 * SECOND);
    policy.onServing(20 * SECOND);
    expect(policy.onCrash(20 * SECOND + MINUTE)).toMatchObject({ action: 'restart', delayMs: SECOND, restart: 1 });
  });

  it('keeps counting when the service crashed before it had been SERVING for stableAfterMs', () => {
    const policy = aPolicy();
    policy.onCrash(0);
    policy.onServing(5 * SECOND);
    expect(policy.onCrash(5 * SECOND + MINUTE - 1)).toMatchObject({ action: 'restart', delayMs: 2 * SECOND, restart: 2 });
  });

  it('forgets crashes older than the window', () => {
    const policy = aPolicy({ stableAfterMs: Number.POSITIVE_INFINITY });
    for (let n = 0; n < 5; n++) policy.onCrash(n * MINUTE);
    // The crash at 0 min is out of the 10-minute window at 10 min: 5 within it, still a restart.
    expect(policy.onCrash(10 * MINUTE)).toMatchObject({ action: 'restart', restart: 5 });
    expect(policy.onCrash(10 * MINUTE + 1)).toEqual({ action: 'give-up', crashes: 6, windowMs: 10 * MINUTE });
  });

  it('stays given up', () => {
    const policy = aPolicy({ maxRestarts: 0 });
    expect(policy.onCrash(0)).toMatchObject({ action: 'give-up', crashes: 1 });
    policy.onServing(SECOND);
    expect(policy.onCrash(2 * MINUTE)).toMatchObject({ action: 'give-up' });
  });
});

import { status } from '@grpc/grpc-js';
import { encodeStatusDetails, UnavailableError, UpstreamError } from '@strata/service-runtime';
import { DEFAULT_DEADLINE_POLICY } from '../traffic/deadline';
import { InFlightLimiter } from '../traffic/in-flight-limiter';
import { InferenceBreaker } from '../traffic/inference-breaker';
import { TokenBucketLimiter } from '../traffic/token-bucket';
import { Gatekeeper } from './gatekeeper';

function aGatekeeper(breaker: InferenceBreaker): Gatekeeper {
  return new Gatekeeper({
    verifier: { verify: () => Promise.reject(new Error('auth is off')) },
    limiter: new TokenBucketLimiter(),
    inFlight: new InFlightLimiter(100),
    breaker,
    deadlines: DEFAULT_DEADLINE_POLICY,
    authDisabled: true,
  });
}

/** Admits `count` calls one after the other and finishes each with `error`. */
async function finishCalls(gatekeeper: Gatekeeper, count: number, error: unknown): Promise<void> {
  for (let i = 0; i < count; i += 1) (await gatekeeper.admit({}, ['delays'])).finish(error);
}

describe(Gatekeeper.name, () => {
  it('keeps the breaker closed when inference itself answers UNAVAILABLE about one model (its status details prove it is up)', async () => {
    const breaker = new InferenceBreaker({ failureThreshold: 5 });
    const notLoaded = new UnavailableError('delays@production has no loaded version yet; retry with backoff', 1_000);
    const answered = new UpstreamError(status.UNAVAILABLE, notLoaded.message, encodeStatusDetails(notLoaded));
    await finishCalls(aGatekeeper(breaker), 8, answered);
    expect(breaker.state).toBe('closed');
  });

  it('opens the breaker on UNAVAILABLE without the upstream\'s status details (a failed connection)', async () => {
    const breaker = new InferenceBreaker({ failureThreshold: 5 });
    await finishCalls(aGatekeeper(breaker), 5, new UpstreamError(status.UNAVAILABLE, 'No connection established'));
    expect(breaker.state).toBe('open');
  });

  it('admits a call whose key was verified on its way in without verifying it again, and still applies its allow-list and bucket', async () => {
    const key = { id: 'k1', name: 'bench', allowedModels: ['delays'], rateLimit: { perSecond: 1, burst: 1 } };
    let verified = 0;
    const gatekeeper = new Gatekeeper({
      verifier: { verify: () => ((verified += 1), Promise.resolve(key)) },
      limiter: new TokenBucketLimiter(),
      inFlight: new InFlightLimiter(100),
      breaker: new InferenceBreaker(),
      deadlines: DEFAULT_DEADLINE_POLICY,
      authDisabled: false,
    });
    const admitted = await gatekeeper.admit({ apiKey: 'sk_live_x', verifiedKey: key }, ['delays']);
    expect(admitted.key).toBe(key);
    admitted.finish();
    expect(verified).toBe(0);
    await expect(gatekeeper.admit({ apiKey: 'sk_live_x', verifiedKey: key }, ['other'])).rejects.toThrow('may not call model other');
    await expect(gatekeeper.admit({ apiKey: 'sk_live_x', verifiedKey: key }, ['delays'])).rejects.toThrow('rate limit');
    // Without it the gate verifies the presented key itself.
    await expect(gatekeeper.admit({ apiKey: 'sk_live_x' }, ['delays'])).rejects.toThrow('rate limit');
    expect(verified).toBe(1);
  });

  it('sheds at once with UNAVAILABLE and a retry delay when the in-flight limit is reached, naming a lowered limit', async () => {
    let now = 0;
    const gatekeeper = new Gatekeeper({
      verifier: { verify: () => Promise.reject(new Error('auth is off')) },
      limiter: new TokenBucketLimiter(),
      inFlight: new InFlightLimiter(4, { latencyTargetMs: 100, minLimit: 1, clock: () => now }),
      breaker: new InferenceBreaker(),
      deadlines: DEFAULT_DEADLINE_POLICY,
      authDisabled: true,
    });
    const slow = await gatekeeper.admit({}, ['delays']);
    now = 500;
    slow.finish(); // slower than the target: the limit halves to 2
    const held = [await gatekeeper.admit({}, ['delays']), await gatekeeper.admit({}, ['delays'])];
    const refusal = gatekeeper.admit({}, ['delays']);
    await expect(refusal).rejects.toBeInstanceOf(UnavailableError);
    await expect(refusal).rejects.toMatchObject({ retryAfterMs: expect.any(Number) as unknown, message: expect.stringContaining('limit of 2 requests in flight (lowered from 4') as unknown });
    for (const call of held) call.finish();
  });

  it('says before admitting whether a new call would be shed, without taking a slot', async () => {
    const gatekeeper = new Gatekeeper({
      verifier: { verify: () => Promise.reject(new Error('auth is off')) },
      limiter: new TokenBucketLimiter(),
      inFlight: new InFlightLimiter(1),
      breaker: new InferenceBreaker(),
      deadlines: DEFAULT_DEADLINE_POLICY,
      authDisabled: true,
    });
    expect(gatekeeper.shedding()).toBeUndefined();
    const held = await gatekeeper.admit({}, ['delays']);
    const shed = gatekeeper.shedding();
    expect(shed).toBeInstanceOf(UnavailableError);
    expect(shed).toMatchObject({ retryAfterMs: expect.any(Number) as unknown, message: expect.stringContaining('limit of 1 requests in flight') as unknown });
    held.finish();
    expect(gatekeeper.shedding()).toBeUndefined();
    (await gatekeeper.admit({}, ['delays'])).finish();
  });
});

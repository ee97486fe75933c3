import { type MirrorOutcome, ShadowMirror } from './shadow-mirror';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// A clock that advances 250 µs each time it is read.
function steppingClock(): () => number {
  let now = 0;
  return () => (now += 250);
}

describe(ShadowMirror.name, () => {
  it('does not start the run before the caller has returned', async () => {
    const mirror = new ShadowMirror();
    const events: string[] = [];
    const accepted = mirror.mirror(
      () => {
        events.push('run');
        return Promise.resolve('out');
      },
      () => events.push('done'),
    );
    events.push('live response');
    expect(accepted).toBe(true);
    expect(events).toEqual(['live response']);
    await mirror.drain();
    expect(events).toEqual(['live response', 'run', 'done']);
  });

  it('hands the outputs and the run latency to onDone', async () => {
    const mirror = new ShadowMirror({ nowUs: steppingClock() });
    const outcomes: [MirrorOutcome<string>, number][] = [];
    mirror.mirror(
      () => Promise.resolve('out'),
      (outcome, latencyUs) => outcomes.push([outcome, latencyUs]),
    );
    await mirror.drain();
    expect(outcomes).toEqual([[{ ok: true, outputs: 'out' }, 250]]);
    expect(mirror.counters).toEqual({ mirrored: 1, dropped: 0, failed: 0 });
  });

  it('drops and counts copies beyond maxInFlight instead of queueing them', async () => {
    const mirror = new ShadowMirror({ maxInFlight: 2 });
    const gate = deferred<string>();
    const done: string[] = [];
    const results = Array.from({ length: 5 }, (_, index) =>
      mirror.mirror(
        () => gate.promise,
        () => done.push(`copy-${index}`),
      ),
    );
    expect(results).toEqual([true, true, false, false, false]);
    expect(mirror.inFlight).toBe(2);
    await nextTurn();
    gate.resolve('out');
    await mirror.drain();
    expect(done).toEqual(['copy-0', 'copy-1']);
    expect(mirror.counters).toEqual({ mirrored: 2, dropped: 3, failed: 0 });
    expect(mirror.mirror(() => Promise.resolve('again'), () => undefined)).toBe(true);
    await mirror.drain();
  });

  it('catches and counts a rejected run, a run that throws synchronously, and a throwing callback', async () => {
    const callbackErrors: unknown[] = [];
    const mirror = new ShadowMirror({ onCallbackError: (error) => callbackErrors.push(error) });
    const outcomes: MirrorOutcome<string>[] = [];
    const failure = new Error('shadow model exploded');
    mirror.mirror<string>(() => Promise.reject(failure), (outcome) => outcomes.push(outcome));
    mirror.mirror<string>(
      () => {
        throw failure;
      },
      (outcome) => outcomes.push(outcome),
    );
    mirror.mirror(
      () => Promise.resolve('out'),
      () => {
        throw new Error('callback bug');
      },
    );
    await mirror.drain();
    expect(outcomes).toEqual([
      { ok: false, error: failure },
      { ok: false, error: failure },
    ]);
    expect(callbackErrors).toEqual([new Error('callback bug')]);
    expect(mirror.counters).toEqual({ mirrored: 3, dropped: 0, failed: 2 });
    expect(mirror.inFlight).toBe(0);
  });

  it('frees the slot of a run that outlives timeoutMs and counts it as failed', async () => {
    const mirror = new ShadowMirror({ maxInFlight: 1, timeoutMs: 5 });
    const outcomes: MirrorOutcome<string>[] = [];
    const never = deferred<string>();
    mirror.mirror(() => never.promise, (outcome) => outcomes.push(outcome));
    await mirror.drain();
    expect(outcomes).toEqual([{ ok: false, error: new Error('shadow run still pending after 5 ms') }]);
    expect(mirror.counters.failed).toBe(1);
    never.reject(new Error('late failure')); // must not surface as an unhandled rejection
    await nextTurn();
  });

  it('resolves drain at once when nothing is in flight', async () => {
    await expect(new ShadowMirror().drain()).resolves.toBeUndefined();
  });

  it('rejects a bad maxInFlight or timeoutMs naming the option', () => {
    expect(() => new ShadowMirror({ maxInFlight: 0 })).toThrow('maxInFlight is 0, expected a positive integer');
    expect(() => new ShadowMirror({ timeoutMs: -1 })).toThrow('timeoutMs is -1, expected a positive number of milliseconds');
  });
});

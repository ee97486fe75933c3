import { WakeableSleep } from './wakeable-sleep';

describe(WakeableSleep.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ends a running pause when woken', async () => {
    const pause = new WakeableSleep();
    let done = false;
    const sleeping = pause.sleep(60_000).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    pause.wake();
    await sleeping;
    expect(done).toBe(true);
  });

  it('returns at once from the next pause after a wake-up that came between pauses, then waits again', async () => {
    const pause = new WakeableSleep();
    pause.wake();
    await pause.sleep(60_000);
    let done = false;
    const sleeping = pause.sleep(1_000).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    jest.advanceTimersByTime(1_000);
    await sleeping;
    expect(done).toBe(true);
  });
});

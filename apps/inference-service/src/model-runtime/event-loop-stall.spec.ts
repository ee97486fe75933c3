import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventLoopStallProbe } from './event-loop-stall';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop runs nothing else meanwhile
  }
}

describe(EventLoopStallProbe.name, () => {
  it('sees a blocking stretch as a stall of at least its length minus the resolution', async () => {
    const probe = EventLoopStallProbe.start(1);
    await sleep(5);
    busyFor(30);
    await sleep(5);
    // No upper bound: a busy machine may stall the process longer than the busy wait.
    expect(probe.stop()).toBeGreaterThanOrEqual(29);
  });

  it('counts the stall in progress when stopped, and answers the same once stopped', () => {
    const probe = EventLoopStallProbe.start(1);
    busyFor(20);
    const longest = probe.stop();
    expect(longest).toBeGreaterThanOrEqual(19);
    busyFor(5);
    expect(probe.stop()).toBe(longest);
  });
});

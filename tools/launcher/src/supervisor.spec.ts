import type { RestartPolicyOptions } from './restart-policy';
import type { ExitStatus } from './service-process';
import { type Scheduler, type SupervisedProcess, Supervisor } from './supervisor';

const POLICY: RestartPolicyOptions = { initialDelayMs: 1_000, maxDelayMs: 30_000, maxRestarts: 2, windowMs: 600_000, stableAfterMs: 60_000 };
const KILLED: ExitStatus = { code: null, signal: 'SIGKILL' };

/** Virtual time: callbacks run only when the test advances the clock. */
class FakeScheduler implements Scheduler {
  private time = 0;
  private timers: { at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, callback };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
      await settle();
    }
    this.time = until;
  }
}

/** A service process whose runs the test ends. */
class FakeProcess implements SupervisedProcess {
  readonly spec: { name: string };
  readonly logPath: string;
  starts = 0;
  pid: number | undefined;
  private running = true;
  private exit!: (status: ExitStatus) => void;
  private exited!: Promise<ExitStatus>;
  private static nextPid = 100;

  constructor(name: string) {
    this.spec = { name };
    this.logPath = `/data/logs/${name}.log`;
    this.newRun();
  }

  start(): void {
    this.starts += 1;
    this.newRun();
  }

  isRunning(): boolean {
    return this.running;
  }

  whenExited(): Promise<ExitStatus> {
    return this.exited;
  }

  crash(status: ExitStatus = KILLED): void {
    this.running = false;
    this.exit(status);
  }

  private newRun(): void {
    this.running = true;
    this.pid = FakeProcess.nextPid++;
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }
}

/** Lets promise callbacks (exits, waits) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function aSupervisedPlatform(serving: 'at-once' | 'never' = 'at-once') {
  const scheduler = new FakeScheduler();
  const processes = [new FakeProcess('feature-service'), new FakeProcess('inference-service'), new FakeProcess('gateway')];
  const lines: string[] = [];
  const waits: AbortSignal[] = [];
  const supervisor = new Supervisor(processes, {
    scheduler,
    policy: POLICY,
    waitUntilServing: (process, signal) => {
      waits.push(signal);
      if (serving === 'at-once') return Promise.resolve();
      // Ends like the platform's wait: when the run exits first or the signal aborts.
      return new Promise((_resolve, reject) => {
        void process.whenExited().then(() => reject(new Error(`${process.spec.name} exited before it was ready`)));
        signal.addEventListener('abort', () => reject(new Error('stopped')));
      });
    },
    report: (level, text) => lines.push(`${level} ${text}`),
  });
  const [features, inference, gateway] = processes as [FakeProcess, FakeProcess, FakeProcess];
  supervisor.watch();
  return { scheduler, supervisor, lines, waits, features, inference, gateway };
}

describe(Supervisor.name, () => {
  it('restarts a service that was killed after 1 s, says so, and leaves the others alone', async () => {
    const { scheduler, supervisor, lines, features, inference, gateway } = aSupervisedPlatform();
    inference.crash();
    await settle();
    expect(lines).toEqual(['40 inference-service exited (signal SIGKILL); restarting in 1 s (restart 1 of 2)']);

    await scheduler.advance(999);
    expect(inference.starts).toBe(0);
    await scheduler.advance(1);
    expect(inference.starts).toBe(1);
    expect(lines.slice(1)).toEqual([
      `30 inference-service restarted (restart 1, pid ${String(inference.pid)}); waiting until it is SERVING`,
      `30 inference-service is SERVING again after restart 1 (pid ${String(inference.pid)})`,
    ]);
    expect([features.starts, gateway.starts]).toEqual([0, 0]);
    expect(supervisor.outcomes()).toEqual([
      { name: 'feature-service', crashes: 0, restarts: 0, gaveUp: false, recovering: false },
      { name: 'inference-service', crashes: 1, restarts: 1, gaveUp: false, recovering: false },
      { name: 'gateway', crashes: 0, restarts: 0, gaveUp: false, recovering: false },
    ]);
  });

  it('doubles the delay for each crash in a row and gives up after maxRestarts, naming the log', async () => {
    const { scheduler, supervisor, lines, features, gateway } = aSupervisedPlatform();
    features.crash({ code: 1, signal: null });
    await settle();
    await scheduler.advance(1_000);
    features.crash({ code: 1, signal: null });
    await settle();
    expect(lines.at(-1)).toBe('40 feature-service exited (code 1); restarting in 2 s (restart 2 of 2)');
    await scheduler.advance(2_000);
    features.crash({ code: 1, signal: null });
    await settle();

    expect(lines.at(-1)).toBe(
      '50 feature-service exited (code 1): 3 crashes within 10 min, giving up on it (not restarted again); its log: /data/logs/feature-service.log. The other services keep running; Ctrl-C stops them.',
    );
    expect(scheduler.pending).toBe(0);
    await scheduler.advance(600_000);
    expect(features.starts).toBe(2);
    expect(gateway.isRunning()).toBe(true);
    expect(supervisor.outcomes()[0]).toEqual({ name: 'feature-service', crashes: 3, restarts: 2, gaveUp: true, recovering: false });
  });

  it('counts a run that exits before SERVING as the next crash', async () => {
    const { scheduler, lines, inference } = aSupervisedPlatform('never');
    inference.crash();
    await settle();
    await scheduler.advance(1_000);
    inference.crash({ code: 1, signal: null });
    await settle();
    expect(lines.at(-1)).toBe('40 inference-service exited (code 1); restarting in 2 s (restart 2 of 2)');
    expect(lines.some((line) => line.includes('before it was ready'))).toBe(false);
  });

  it('forgives earlier crashes once the restarted service has been SERVING for stableAfterMs', async () => {
    const { scheduler, lines, gateway } = aSupervisedPlatform();
    gateway.crash();
    await settle();
    await scheduler.advance(1_000);
    await scheduler.advance(60_000);
    gateway.crash();
    await settle();
    expect(lines.at(-1)).toBe('40 gateway exited (signal SIGKILL); restarting in 1 s (restart 1 of 2)');
  });

  it('cancels a pending restart on stop, and takes no exit after it for a crash', async () => {
    const { scheduler, supervisor, lines, inference, gateway } = aSupervisedPlatform();
    inference.crash();
    await settle();
    supervisor.stop();
    await scheduler.advance(60_000);
    expect(inference.starts).toBe(0);
    expect(supervisor.outcomes()[1]).toMatchObject({ crashes: 1, recovering: true });

    gateway.crash({ code: 0, signal: null }); // the shutdown's SIGTERM
    await settle();
    expect(scheduler.pending).toBe(0);
    expect(lines).toHaveLength(1);
  });

  it('ends the wait of a restart in progress on stop, silently', async () => {
    const { scheduler, supervisor, lines, waits, inference } = aSupervisedPlatform('never');
    inference.crash();
    await settle();
    await scheduler.advance(1_000);
    expect(waits).toHaveLength(1);
    supervisor.stop();
    await settle();
    expect(waits[0]?.aborted).toBe(true);
    inference.crash({ code: 0, signal: null });
    await settle();
    expect(lines.map((line) => line.slice(0, 2))).toEqual(['40', '30']);
    // The launcher takes this run's SIGTERM death for a clean stop: it was still starting.
    expect(supervisor.outcomes()[1]).toMatchObject({ crashes: 1, restarts: 0, recovering: true });
  });
});

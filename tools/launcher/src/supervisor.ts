import { DEFAULT_RESTART_POLICY, RestartPolicy, type RestartPolicyOptions } from './restart-policy';
import { describeExit, type ExitStatus } from './service-process';

/** What the supervisor needs of a service process (a `ServiceProcess`, or a fake in tests). */
export interface SupervisedProcess {
  readonly spec: { readonly name: string };
  readonly pid: number | undefined;
  readonly logPath: string;
  /** Starts a new run of the process (same ports, same environment). */
  start(): void;
  isRunning(): boolean;
  /** Resolves when the current run exits. */
  whenExited(): Promise<ExitStatus>;
}

/** Time and timers, injected so the restart schedule is tested without waiting. */
export interface Scheduler {
  now(): number;
  /** Calls `callback` after `ms`; returns a function that cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface SupervisorOptions<P extends SupervisedProcess> {
  readonly scheduler: Scheduler;
  readonly policy?: RestartPolicyOptions;
  /**
   * Resolves when the current run of `process` reports SERVING; rejects when it exits first,
   * is not ready in time, or `signal` is aborted.
   */
  readonly waitUntilServing: (process: P, signal: AbortSignal) => Promise<unknown>;
  /** One console line of the launcher's (levels as pino's: 30 info, 40 warn, 50 error). */
  readonly report: (level: number, text: string) => void;
}

/** What happened to one service while it was supervised, for the launcher's last lines. */
export interface SupervisedOutcome {
  readonly name: string;
  readonly crashes: number;
  /** Restarts that reached SERVING. */
  readonly restarts: number;
  readonly gaveUp: boolean;
  /** Crashed and not SERVING again yet (waiting for its restart, or starting). */
  readonly recovering: boolean;
}

interface ServiceState {
  readonly policy: RestartPolicy;
  crashes: number;
  restarts: number;
  gaveUp: boolean;
  recovering: boolean;
  cancelRestart: (() => void) | undefined;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function duration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : seconds(ms);
}

/**
 * Keeps the platform's services running: a service that exits while the platform is not
 * stopping is restarted after a backoff (its {@link RestartPolicy}) while the others keep
 * serving, and given up on after repeated crashes. {@link stop} ends all of it before the
 * platform stops its processes, so a shutdown is never taken for a crash.
 */
export class Supervisor<P extends SupervisedProcess> {
  private readonly states = new Map<P, ServiceState>();
  private readonly stopping = new AbortController();

  constructor(
    processes: readonly P[],
    private readonly options: SupervisorOptions<P>,
  ) {
    for (const process of processes) {
      this.states.set(process, { policy: new RestartPolicy(options.policy ?? DEFAULT_RESTART_POLICY), crashes: 0, restarts: 0, gaveUp: false, recovering: false, cancelRestart: undefined });
    }
  }

  /** Starts watching the processes; each is running and SERVING now. */
  watch(): void {
    const now = this.options.scheduler.now();
    for (const [process, state] of this.states) {
      state.policy.onServing(now);
      this.follow(process, state);
    }
  }

  /** No more restarts: pending ones are cancelled, waits end, later exits are expected. */
  stop(): void {
    this.stopping.abort();
    for (const state of this.states.values()) {
      state.cancelRestart?.();
      state.cancelRestart = undefined;
    }
  }

  outcomes(): SupervisedOutcome[] {
    return [...this.states].map(([process, { crashes, restarts, gaveUp, recovering }]) => ({ name: process.spec.name, crashes, restarts, gaveUp, recovering }));
  }

  private follow(process: P, state: ServiceState): void {
    void process.whenExited().then((status) => this.onExit(process, state, status));
  }

  private onExit(process: P, state: ServiceState, status: ExitStatus): void {
    if (this.stopping.signal.aborted) return;
    const name = process.spec.name;
    state.crashes += 1;
    const decision = state.policy.onCrash(this.options.scheduler.now());
    state.recovering = decision.action === 'restart';
    if (decision.action === 'give-up') {
      state.gaveUp = true;
      this.options.report(
        50,
        `${name} exited (${describeExit(status)}): ${decision.crashes} crashes within ${duration(decision.windowMs)}, giving up on it (not restarted again); its log: ${process.logPath}. The other services keep running; Ctrl-C stops them.`,
      );
      return;
    }
    this.options.report(40, `${name} exited (${describeExit(status)}); restarting in ${seconds(decision.delayMs)} (restart ${decision.restart} of ${decision.maxRestarts})`);
    state.cancelRestart = this.options.scheduler.schedule(() => void this.restart(process, state, decision.restart), decision.delayMs);
  }

  private async restart(process: P, state: ServiceState, restart: number): Promise<void> {
    state.cancelRestart = undefined;
    if (this.stopping.signal.aborted) return;
    const name = process.spec.name;
    process.start();
    this.follow(process, state);
    this.options.report(30, `${name} restarted (restart ${restart}, pid ${String(process.pid)}); waiting until it is SERVING`);
    try {
      await this.options.waitUntilServing(process, this.stopping.signal);
    } catch (error) {
      // An exit before SERVING is the next crash (onExit says so); a stop needs no word.
      if (!this.stopping.signal.aborted && process.isRunning()) {
        this.options.report(40, `${error instanceof Error ? error.message : String(error)}; it keeps running`);
      }
      return;
    }
    if (this.stopping.signal.aborted) return;
    state.policy.onServing(this.options.scheduler.now());
    state.restarts += 1;
    state.recovering = false;
    this.options.report(30, `${name} is SERVING again after restart ${restart} (pid ${String(process.pid)})`);
  }
}

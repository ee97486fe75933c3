import { GrpcHealthProbe } from '@strata/service-runtime';
import { describeExit, type ExitStatus, ServiceProcess, type ServiceProcessOptions } from './service-process';
import type { ServiceSpec } from './services';

/** How long a service may take to report SERVING before the launch counts as failed (default; `--ready-timeout`). */
export const READY_TIMEOUT_MS = 60_000;

export interface ReadyReport {
  readonly service: ServiceSpec;
  readonly pid: number | undefined;
  /** Milliseconds from the platform's start until this service reported SERVING. */
  readonly readyAfterMs: number;
}

/** How long {@link Platform.waitUntilServing} waits, from when. */
export interface ServingWait {
  /** When the wait's clock started (ms since epoch); default now. */
  readonly startedAt?: number;
  /** Default: the platform's ready timeout. */
  readonly timeoutMs?: number;
  /** Ends the wait (rejects) when aborted, e.g. on Ctrl-C during a restart. */
  readonly signal?: AbortSignal;
}

/** Starts the five services as separate processes and stops them all together. */
export class Platform {
  private readonly processes: ServiceProcess[];

  constructor(
    services: ServiceSpec[],
    options: ServiceProcessOptions,
    private readonly readyTimeoutMs = READY_TIMEOUT_MS,
  ) {
    this.processes = services.map((spec) => new ServiceProcess(spec, options));
  }

  get running(): readonly ServiceProcess[] {
    return this.processes;
  }

  /**
   * Starts every service at once and waits until each reports SERVING on the standard
   * gRPC health service. Rejects, naming the services, if one exits or is not ready in time.
   */
  async start(): Promise<ReadyReport[]> {
    const startedAt = Date.now();
    for (const process of this.processes) process.start();
    return Promise.all(this.processes.map((process) => this.waitUntilServing(process, { startedAt })));
  }

  /**
   * Waits until the current run of `process` reports SERVING. Rejects, naming the service and its
   * log, if that run exits first or is not ready in time, or when `wait.signal` is aborted.
   */
  async waitUntilServing(process: ServiceProcess, wait: ServingWait = {}): Promise<ReadyReport> {
    const { startedAt = Date.now(), timeoutMs = this.readyTimeoutMs, signal } = wait;
    const probe = new GrpcHealthProbe(`127.0.0.1:${process.spec.grpcPort}`);
    let exit: ExitStatus | undefined;
    void process.whenExited().then((status) => (exit = status));
    try {
      let status = 'UNREACHABLE';
      while (Date.now() - startedAt < timeoutMs) {
        if (signal?.aborted === true) throw new Error(`stopped waiting for ${process.spec.name}`);
        if (exit !== undefined) {
          throw new Error(`${process.spec.name} exited (${describeExit(exit)}) before it was ready; see ${process.logPath}`);
        }
        status = await probe.check('');
        if (status === 'SERVING') return { service: process.spec, pid: process.pid, readyAfterMs: Date.now() - startedAt };
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`${process.spec.name} was not SERVING after ${timeoutMs / 1000} s (last status ${status}); see ${process.logPath}`);
    } finally {
      probe.close();
    }
  }

  /**
   * Stops all services in reverse start order (gateway first); resolves how each exited. A
   * service that was not running any more (crashed, waiting for a restart) has no entry.
   */
  async stop(graceMs = 20_000): Promise<Map<string, ExitStatus>> {
    const statuses = new Map<string, ExitStatus>();
    for (const process of [...this.processes].reverse()) {
      const status = await process.stop(graceMs);
      if (status !== undefined) statuses.set(process.spec.name, status);
    }
    return statuses;
  }
}

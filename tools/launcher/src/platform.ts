import { GrpcHealthProbe } from '@strata/service-runtime';
import { ServiceProcess, type ServiceProcessOptions } from './service-process';
import type { ServiceSpec } from './services';

/** How long a service may take to report SERVING before the launch counts as failed (default; `--ready-timeout`). */
export const READY_TIMEOUT_MS = 60_000;

export interface ReadyReport {
  readonly service: ServiceSpec;
  readonly pid: number | undefined;
  /** Milliseconds from the platform's start until this service reported SERVING. */
  readonly readyAfterMs: number;
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
    return Promise.all(this.processes.map((process) => this.waitUntilServing(process, startedAt)));
  }

  private async waitUntilServing(process: ServiceProcess, startedAt: number): Promise<ReadyReport> {
    const probe = new GrpcHealthProbe(`127.0.0.1:${process.spec.grpcPort}`);
    let exitCode: number | null | undefined;
    void process.whenExited().then((code) => (exitCode = code));
    try {
      let status = 'UNREACHABLE';
      while (Date.now() - startedAt < this.readyTimeoutMs) {
        if (exitCode !== undefined) {
          throw new Error(`${process.spec.name} exited with code ${String(exitCode)} before it was ready; see ${process.logPath}`);
        }
        status = await probe.check('');
        if (status === 'SERVING') return { service: process.spec, pid: process.pid, readyAfterMs: Date.now() - startedAt };
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`${process.spec.name} was not SERVING after ${this.readyTimeoutMs / 1000} s (last status ${status}); see ${process.logPath}`);
    } finally {
      probe.close();
    }
  }

  /** Stops all services in reverse start order (gateway first); resolves their exit codes. */
  async stop(graceMs = 20_000): Promise<Map<string, number | null>> {
    const codes = new Map<string, number | null>();
    for (const process of [...this.processes].reverse()) {
      codes.set(process.spec.name, await process.stop(graceMs));
    }
    return codes;
  }
}

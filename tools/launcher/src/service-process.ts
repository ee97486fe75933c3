import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { summarizeLogLine } from './log-line';
import type { ServiceSpec } from './services';

/** How a process ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** `signal SIGKILL` or `code 1`, for the console. */
export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `code ${String(status.code)}`;
}

/** Where a service's files live and how its lines reach the console. */
export interface ServiceProcessOptions {
  readonly workspaceRoot: string;
  readonly dataDir: string;
  readonly logLevel: string;
  /** Extra variables per service name (e.g. the registry's REGISTRY_TOKENS). */
  readonly serviceEnv?: Record<string, NodeJS.ProcessEnv>;
  readonly print: (service: ServiceSpec, level: number, text: string) => void;
}

/**
 * One service running as its own `node` process: its JSON log goes in full to
 * `<dataDir>/logs/<service>.log`, and a compact summary to the console. It may be started
 * again after it exited (the launcher's restarts): same ports, same environment, same log file.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private logFile: WriteStream | undefined;
  private exited: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });

  constructor(
    readonly spec: ServiceSpec,
    private readonly options: ServiceProcessOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logPath(): string {
    return path.join(this.options.dataDir, 'logs', `${this.spec.name}.log`);
  }

  start(): void {
    const { workspaceRoot, dataDir, logLevel } = this.options;
    const { name } = this.spec;
    mkdirSync(path.dirname(this.logPath), { recursive: true });
    // One stream for every run of the service: lines a killed process left in its pipes still land.
    this.logFile ??= createWriteStream(this.logPath, { flags: 'a' });
    const entry = path.join(workspaceRoot, 'dist', name, 'apps', name, 'src', 'main.js');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OTEL_SERVICE_NAME: name,
      BIND_HOST: '127.0.0.1',
      GRPC_PORT: String(this.spec.grpcPort),
      HTTP_PORT: String(this.spec.httpPort),
      DATA_DIR: path.join(dataDir, name),
      LOG_LEVEL: logLevel,
      ...this.options.serviceEnv?.[name],
    };
    // Embedded PGlite unless this service is pointed at PostgreSQL on purpose
    // (e.g. REGISTRY_SERVICE_DATABASE_URL); one shared DATABASE_URL would mix five databases.
    delete env['DATABASE_URL'];
    const ownUrl = process.env[`${name.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`];
    if (ownUrl !== undefined && ownUrl !== '') env['DATABASE_URL'] = ownUrl;

    const child = spawn(process.execPath, [entry], { cwd: workspaceRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.logFile?.write(`${line}\n`);
        const summary = summarizeLogLine(line);
        if (summary !== undefined) this.options.print(this.spec, summary.level, summary.text);
      });
    }
  }

  /** True while the process has not exited. */
  isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Asks the service to drain and stop (SIGTERM); after `graceMs` it is killed.
   * Resolves with how it exited, or undefined when it was not running (never started, or
   * exited earlier); either way its log file is closed.
   */
  async stop(graceMs: number): Promise<ExitStatus | undefined> {
    const child = this.child;
    let status: ExitStatus | undefined;
    if (child !== undefined && this.isRunning()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (this.isRunning()) child.kill('SIGKILL');
      }, graceMs);
      status = await this.exited;
      clearTimeout(timer);
    }
    const logFile = this.logFile;
    this.logFile = undefined;
    await new Promise<void>((resolve) => (logFile ? logFile.end(resolve) : resolve()));
    return status;
  }

  /** Resolves when the current run of the process exits, however it ends. */
  whenExited(): Promise<ExitStatus> {
    return this.exited;
  }
}

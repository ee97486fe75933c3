import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { summarizeLogLine } from './log-line';
import type { ServiceSpec } from './services';

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
 * `<dataDir>/logs/<service>.log`, and a compact summary to the console.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private logFile: WriteStream | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

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
    this.logFile = createWriteStream(this.logPath, { flags: 'a' });
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
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
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
   * Resolves with its exit code.
   */
  async stop(graceMs: number): Promise<number | null> {
    const child = this.child;
    if (child === undefined) return null;
    if (this.isRunning()) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.isRunning()) child.kill('SIGKILL');
    }, graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => (this.logFile ? this.logFile.end(resolve) : resolve()));
    return code;
  }

  /** Resolves when the process exits on its own. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }
}

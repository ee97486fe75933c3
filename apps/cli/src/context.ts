import type { Command } from 'commander';
import { UsageError } from './errors';
import { connectFeatures, type FeatureApi } from './feature-client';
import { renderJson } from './output/json';
import type { ConnectionOptions, RegistryApi } from './registry-client';
import { connectTraining, type TrainingApi } from './training-client';

/** Where a command writes: stdout for results, stderr for errors and progress. */
export interface Terminal {
  write(text: string): void;
  readonly isTTY?: boolean;
  /** Columns of a TTY, for the progress line. */
  readonly columns?: number;
}

/** The process around the CLI, injectable so commands run in unit tests without one. */
export interface CliIo {
  readonly stdout: Terminal;
  readonly stderr: Terminal;
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly env: NodeJS.ProcessEnv;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** What the commands need from outside: the process and a way to reach the registry. */
export interface CliDeps {
  readonly io: CliIo;
  connect(options: ConnectionOptions): RegistryApi;
  /** Reaches feature-service; the real gRPC client when not given (tests pass a fake). */
  connectFeatures?(options: ConnectionOptions): FeatureApi;
  /** Reaches training-runner; the real gRPC client when not given. */
  connectTraining?(options: ConnectionOptions): TrainingApi;
}

export const DEFAULT_REGISTRY = '127.0.0.1:50053';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** feature-service's default gRPC address (its DEFAULT_PORTS). */
export const DEFAULT_FEATURES = '127.0.0.1:50051';
/** training-runner's default gRPC address (its DEFAULT_PORTS). */
export const DEFAULT_TRAINING = '127.0.0.1:50052';

/** Options every command accepts (defined once on the root command). */
export interface GlobalOptions extends ConnectionOptions {
  readonly json: boolean;
  /** `host:port` of feature-service gRPC (`--features`, STRATA_FEATURES); DEFAULT_FEATURES when unset. */
  readonly featuresAddress?: string;
  /** `host:port` of training-runner gRPC (`--training`, STRATA_TRAINING); DEFAULT_TRAINING when unset. */
  readonly trainingAddress?: string;
}

/**
 * Parses a duration: `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
 * Throws a UsageError naming `what` otherwise.
 */
export function parseDurationMs(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`${what}: expected a duration such as 30s, 500ms or 2m, got "${text}"`);
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(match[1]) * factor;
  if (ms <= 0) throw new UsageError(`${what}: must be greater than 0`);
  return ms;
}

/** Resolves the global options of the command being run: flags first, then environment, then defaults. */
export function globalOptionsOf(command: Command, env: NodeJS.ProcessEnv): GlobalOptions {
  const raw = command.optsWithGlobals<{ registry?: string; features?: string; training?: string; token?: string; timeout?: string; json?: boolean }>();
  const token = raw.token ?? env['STRATA_TOKEN'];
  return {
    address: raw.registry ?? (env['STRATA_REGISTRY'] || DEFAULT_REGISTRY),
    token: token === '' ? undefined : token,
    timeoutMs: raw.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDurationMs(raw.timeout, '--timeout'),
    json: raw.json === true,
    featuresAddress: raw.features ?? (env['STRATA_FEATURES'] || DEFAULT_FEATURES),
    trainingAddress: raw.training ?? (env['STRATA_TRAINING'] || DEFAULT_TRAINING),
  };
}

/** One running command: its options, lazily opened registry, feature and training clients, and output helpers. */
export class CommandContext {
  private client: RegistryApi | undefined;
  private featureClient: FeatureApi | undefined;
  private trainingClient: TrainingApi | undefined;

  constructor(
    readonly deps: CliDeps,
    readonly options: GlobalOptions,
  ) {}

  get io(): CliIo {
    return this.deps.io;
  }

  /** The registry client, connected on first use. */
  get registry(): RegistryApi {
    if (this.client === undefined) {
      // The registry gets its own options only; the other services' addresses are not its business.
      const { featuresAddress: _features, trainingAddress: _training, ...registryOptions } = this.options;
      this.client = this.deps.connect(registryOptions);
    }
    return this.client;
  }

  /** The feature-service client, connected on first use. */
  get features(): FeatureApi {
    const connect = this.deps.connectFeatures ?? connectFeatures;
    this.featureClient ??= connect({ address: this.options.featuresAddress ?? DEFAULT_FEATURES, token: this.options.token, timeoutMs: this.options.timeoutMs });
    return this.featureClient;
  }

  /** The training-runner client, connected on first use. */
  get training(): TrainingApi {
    const connect = this.deps.connectTraining ?? connectTraining;
    this.trainingClient ??= connect({ address: this.options.trainingAddress ?? DEFAULT_TRAINING, token: this.options.token, timeoutMs: this.options.timeoutMs });
    return this.trainingClient;
  }

  /** Prints the command's result: `json` with --json, otherwise the human rendering. */
  print(json: unknown, human: () => string): void {
    this.io.stdout.write(this.options.json ? renderJson(json) : human());
  }

  /** A note for people on stderr (never with --json, where stderr carries only errors). */
  note(text: string): void {
    if (!this.options.json) this.io.stderr.write(`${text}\n`);
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
    this.featureClient?.close();
    this.featureClient = undefined;
    this.trainingClient?.close();
    this.trainingClient = undefined;
  }
}

/** Runs a command action with its context and closes its channels afterwards. */
export async function withContext(deps: CliDeps, command: Command, action: (context: CommandContext) => Promise<void>): Promise<void> {
  const context = new CommandContext(deps, globalOptionsOf(command, deps.io.env));
  try {
    await action(context);
  } finally {
    context.close();
  }
}

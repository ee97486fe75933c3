// The contract between the benchmark runner (bench/src/main.ts) and each scenario
// (bench/src/scenarios/*.ts). Every figure is reported next to a baseline measured in the same
// run: this machine is shared and noisy, so ratios travel better than absolute numbers.
import type { PlatformClients } from '@strata/quickstart';
import type { PlatformProcesses } from '@strata/testing';

/** Latency distribution of one measured series, in milliseconds. */
export interface LatencyStats {
  readonly count: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
  readonly max: number;
}

/** The physical floors, measured once at the start of every run (bench/src/floors). */
export interface Floors {
  /** In-process `session.run` of the served model (single row). */
  readonly ort: LatencyStats;
  /** A unary gRPC echo over loopback with grpc-js, server in another process. */
  readonly grpc: LatencyStats;
  /** An HTTP echo on the gateway's HTTP stack (Fastify), server in another process. */
  readonly http: LatencyStats;
  /** A primary-key SELECT through the `pg` driver on the local PostgreSQL. */
  readonly pg: LatencyStats;
}

/** One reported number. */
export interface Figure {
  /** e.g. `gateway REST p99 at 1000 rps`. */
  readonly name: string;
  readonly value: number;
  readonly unit: 'ms' | 'rps' | 'rows/s' | 'MiB' | 's' | 'x' | 'count';
  /** The baseline it is compared with, when there is one (`D_http + D_grpc p50`, ...). */
  readonly baseline?: { readonly name: string; readonly value: number };
}

/** One target of the issue, judged honestly: a miss is a miss, with the figure. */
export interface TargetResult {
  readonly name: string;
  readonly pass: boolean;
  /** e.g. `p99 3.10 ms <= 2 x D_pg p99 (2 x 1.20 = 2.40 ms)`: the figure and the bound. */
  readonly detail: string;
}

/** What a scenario reports. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly title: string;
  readonly figures: readonly Figure[];
  readonly targets: readonly TargetResult[];
  /** Free-form lines for the report (set-up, what was skipped and why). */
  readonly notes: readonly string[];
}

/** flight-delay v1 as the flights quickstart trained and the platform serves it. */
export interface ServedModel {
  /** `flight-delay` */
  readonly name: string;
  readonly version: number;
  /** The ONNX bytes, downloaded from the registry (what inference-service loaded). */
  readonly bytes: Uint8Array;
  /**
   * The single-row FP32 input tensor of the Open Inference Protocol example (`callExamples`):
   * the route's online features, the distance and the hour/day, as inference would assemble them.
   */
  readonly input: { readonly name: string; readonly values: readonly number[] };
}

/** The running platform shared by the scenarios that need it (started once per run). */
export interface BenchPlatform {
  /** The five services as processes (`logLevel: 'warn'`; tracing off, except a platform a scenario starts with `tracing`). */
  readonly processes: PlatformProcesses;
  /** Admin clients of every service (registry and gateway admin with the admin token). */
  readonly clients: PlatformClients;
  readonly model: ServedModel;
  /** The secret of a gateway API key for `model.name` whose rate limit no benchmark reaches (100,000/s). */
  readonly apiKey: string;
}

/** What every scenario gets from the runner. */
export interface BenchContext {
  /** `--quick`: shorter runs for a smoke check (figures not representative). */
  readonly quick: boolean;
  readonly workspaceRoot: string;
  /** Progress for a person watching (one line each). */
  log(line: string): void;
  /** The floors of this run. */
  readonly floors: Floors;
  /**
   * The shared platform: five services on PostgreSQL with flight-delay v1 trained and served.
   * Started on first use (the D_ort floor uses it, so it is normally up already) and stopped by
   * the runner after the last scenario; scenarios must not stop it, and should leave it as they
   * found it (a scenario that needs a different platform starts its own PlatformProcesses).
   */
  platform(): Promise<BenchPlatform>;
}

/** One benchmark scenario: `npm run bench -- <name>`. */
export interface Scenario {
  /** Command-line name, e.g. `predict`, `peak`, `online-fetch`. */
  readonly name: string;
  readonly title: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}

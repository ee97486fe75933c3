// The contract between the benchmark runner (bench/src/main.ts) and each scenario
// (bench/src/scenarios/*.ts). Every figure is reported next to a baseline measured in the same
// run: this machine is shared and noisy, so ratios travel better than absolute numbers.

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

/** What every scenario gets from the runner. */
export interface BenchContext {
  /** `--quick`: shorter runs for a smoke check (figures not representative). */
  readonly quick: boolean;
  readonly workspaceRoot: string;
  /** Progress for a person watching (one line each). */
  log(line: string): void;
  /** The floors of this run. */
  readonly floors: Floors;
}

/** One benchmark scenario: `npm run bench -- <name>`. */
export interface Scenario {
  /** Command-line name, e.g. `predict`, `peak`, `online-fetch`. */
  readonly name: string;
  readonly title: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}

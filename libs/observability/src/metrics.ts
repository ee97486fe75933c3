import { collectDefaultMetrics, Counter, type CounterConfiguration, Gauge, type GaugeConfiguration, Histogram, type HistogramConfiguration, Registry } from 'prom-client';

/** Latency buckets (seconds) from sub-millisecond cache hits to multi-second batch calls. */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The `/metrics` response: Prometheus text exposition and its content type. */
export interface MetricsText {
  readonly contentType: string;
  readonly body: string;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Collect process metrics (CPU, memory, event loop lag, GC...). Default `true`. */
  readonly defaultMetrics?: boolean;
}

type OwnConfiguration<C> = Omit<C, 'registers'>;

/**
 * The Prometheus metrics of one service: its own registry (every series labelled
 * `service`), process metrics, RED metrics for every RPC and HTTP request, and factories
 * for service-specific metrics (queue depth, model load events, ...).
 */
export class ServiceMetrics {
  /** The registry behind `/metrics`. */
  readonly registry = new Registry();
  private readonly rpcRequests: Counter<'method' | 'code'>;
  private readonly rpcDuration: Histogram<'method' | 'code'>;
  private readonly httpRequests: Counter<'method' | 'route' | 'code'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'code'>;

  constructor(
    readonly service: string,
    options: MetricsOptions = {},
  ) {
    this.registry.setDefaultLabels({ service });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.rpcRequests = this.counter({ name: 'strata_rpc_requests_total', help: 'gRPC requests handled, by method and final status code', labelNames: ['method', 'code'] });
    this.rpcDuration = this.histogram({ name: 'strata_rpc_duration_seconds', help: 'gRPC handling time until the response (or stream) ended', labelNames: ['method', 'code'], buckets: LATENCY_BUCKETS_SECONDS });
    this.httpRequests = this.counter({ name: 'strata_http_requests_total', help: 'HTTP requests handled, by method, route and status code', labelNames: ['method', 'route', 'code'] });
    this.httpDuration = this.histogram({ name: 'strata_http_duration_seconds', help: 'HTTP handling time until the response was sent', labelNames: ['method', 'route', 'code'], buckets: LATENCY_BUCKETS_SECONDS });
  }

  /** Records one finished RPC: `method` as `package.Service/Method`, `code` as `OK`, `NOT_FOUND`, ... */
  observeRpc(method: string, code: string, durationSeconds: number): void {
    this.rpcRequests.inc({ method, code });
    this.rpcDuration.observe({ method, code }, durationSeconds);
  }

  /** Records one finished HTTP request; `route` is the route pattern (`/v1/models/:name`), never the raw URL. */
  observeHttpRequest(method: string, route: string, statusCode: number, durationSeconds: number): void {
    const labels = { method, route, code: String(statusCode) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, durationSeconds);
  }

  /** A counter registered with this service's registry. Name it `strata_<what>_total`. */
  counter<L extends string>(configuration: OwnConfiguration<CounterConfiguration<L>>): Counter<L> {
    return new Counter({ ...configuration, registers: [this.registry] });
  }

  /** A gauge registered with this service's registry (e.g. `strata_training_queue_depth`). */
  gauge<L extends string>(configuration: OwnConfiguration<GaugeConfiguration<L>>): Gauge<L> {
    return new Gauge({ ...configuration, registers: [this.registry] });
  }

  /** A histogram registered with this service's registry; buckets default to {@link LATENCY_BUCKETS_SECONDS}. */
  histogram<L extends string>(configuration: OwnConfiguration<HistogramConfiguration<L>>): Histogram<L> {
    return new Histogram({ buckets: LATENCY_BUCKETS_SECONDS, ...configuration, registers: [this.registry] });
  }

  /** Renders the `/metrics` response body and its content type. */
  async render(): Promise<MetricsText> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Creates the metrics of one service. See {@link ServiceMetrics}. */
export function createMetrics(service: string, options?: MetricsOptions): ServiceMetrics {
  return new ServiceMetrics(service, options);
}

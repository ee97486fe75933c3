import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ServiceMetrics } from '@strata/observability';
import { METRICS } from '@strata/service-runtime';
import { batchRunTally, type BatchRunTally } from '../model-runtime';
import { PredictionService } from './prediction.service';
import { ReleaseLoader } from './release-loader';

/** Buckets of the per-load event-loop stall, seconds: 1 ms (the probe's resolution) to 5 s. */
const LOAD_STALL_BUCKETS_SECONDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The serving counters on /metrics, read when scraped: failed model loads, the dynamic batchers'
 * session runs, rows and requests (mean batch size = rows / runs), and the shadow /
 * canary copies mirrored, dropped (mirror full) and failed. Per-RPC latency and status come
 * from the runtime's RED metrics; feature fetch outcomes from `strata_feature_fetch_total`.
 */
@Injectable()
export class ServingMetrics implements OnModuleInit {
  constructor(
    @Inject(METRICS) private readonly metrics: ServiceMetrics,
    private readonly releases: ReleaseLoader,
    private readonly predictions: PredictionService,
  ) {}

  onModuleInit(): void {
    const { releases, predictions } = this;
    const loadStall = this.metrics.histogram({
      name: 'strata_model_load_event_loop_stall_seconds',
      help: 'per model load (download, verify, session creation, warm-up, swap): the longest time the event loop ran nothing else meanwhile, from a 1 ms timer probe (reads up to 1 ms short)',
      buckets: LOAD_STALL_BUCKETS_SECONDS,
    });
    releases.onLoadStall((stallMs) => loadStall.observe(stallMs / 1000));
    this.metrics.gauge({
      name: 'strata_model_load_event_loop_stall_last_seconds',
      help: "the last model load's longest event-loop stall (see strata_model_load_event_loop_stall_seconds)",
      collect() {
        this.set(releases.loadStalls().lastMs / 1000);
      },
    });
    // Dynamic batching: mean batch size = rate(rows) / rate(runs) (or their increase between two scrapes).
    const batchCounter = (name: string, help: string, read: (tally: BatchRunTally) => number): void => {
      this.metrics.counter({
        name,
        help,
        collect() {
          this.reset();
          this.inc(read(batchRunTally()));
        },
      });
    };
    batchCounter('strata_inference_batch_runs_total', 'onnxruntime session runs of the dynamic batchers that answered their requests (a coalesced batch, or one request run alone)', (tally) => tally.runs);
    batchCounter('strata_inference_batch_rows_total', 'rows (first dimension) answered by those runs: rows / runs is the mean batch size', (tally) => tally.rows);
    batchCounter('strata_inference_batch_requests_total', 'requests answered by those runs: requests / runs is the mean number of requests coalesced per run', (tally) => tally.requests);
    this.metrics.gauge({
      name: 'strata_model_load_failures',
      help: 'model versions that failed to load since start (download, digest, external data, custom ops, session, warm-up, feature contract); the previous version kept serving',
      collect() {
        this.set(releases.failedLoads());
      },
    });
    this.metrics.gauge({
      name: 'strata_comparison_copies',
      help: 'shadow and canary comparison copies since start, by outcome: mirrored (run), dropped (mirror full, never queued), failed (the copy errored or timed out)',
      labelNames: ['outcome'],
      collect() {
        const counters = predictions.shadowCounters();
        this.set({ outcome: 'mirrored' }, counters.mirrored);
        this.set({ outcome: 'dropped' }, counters.dropped);
        this.set({ outcome: 'failed' }, counters.failed);
      },
    });
  }
}

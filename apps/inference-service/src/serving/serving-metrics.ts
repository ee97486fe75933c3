import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ServiceMetrics } from '@strata/observability';
import { METRICS } from '@strata/service-runtime';
import { PredictionService } from './prediction.service';
import { ReleaseLoader } from './release-loader';

/**
 * The serving counters on /metrics, read when scraped: failed model loads, and the shadow /
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

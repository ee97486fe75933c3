import { Module } from '@nestjs/common';
import type { ServiceMetrics } from '@strata/observability';
import { LOGGER, METRICS } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import { FeatureAssembler, FeatureStore, GrpcFeatureStore } from '../features';
import { OpenInferenceController } from '../open-inference/open-inference.controller';
import { GrpcModelRegistry } from '../releases/grpc-model-registry';
import { ModelRegistry } from '../releases/model-registry';
import { InferenceController } from './inference.controller';
import { ModelCatalog } from './model-catalog';
import { PredictionService } from './prediction.service';
import { ReleaseLoader } from './release-loader';
import { ServingMetrics } from './serving-metrics';
import { VersionLoader } from './version-loader';

const FEATURE_WARNING_INTERVAL_MS = 5_000;

/** Online features within FEATURE_FETCH_DEADLINE; every fetch counted by outcome, failures logged. */
const featureAssemblerProvider = {
  provide: FeatureAssembler,
  inject: [FeatureStore, INFERENCE_CONFIG, METRICS, LOGGER],
  useFactory: (store: FeatureStore, config: InferenceConfig, metrics: ServiceMetrics, logger: Logger): FeatureAssembler => {
    const lastWarning = new Map<string, { at: number; suppressed: number }>();
    const fetches = metrics.counter({ name: 'strata_feature_fetch_total', help: 'online feature fetches on the request path, by feature set and outcome (ok, failed, timeout)', labelNames: ['feature_set', 'outcome'] });
    return new FeatureAssembler(store, {
      deadlineMs: config.featureFetchDeadline,
      onFetch: (event) => {
        fetches.inc({ feature_set: event.featureSet, outcome: event.outcome });
        if (event.outcome === 'ok') return;
        // One line per feature set every 5 s at most: an outage must not flood the log.
        const previous = lastWarning.get(event.featureSet);
        if (previous !== undefined && Date.now() - previous.at < FEATURE_WARNING_INTERVAL_MS) {
          previous.suppressed += 1;
          return;
        }
        const more = previous !== undefined && previous.suppressed > 0 ? ` (${previous.suppressed} more since the last warning)` : '';
        lastWarning.set(event.featureSet, { at: Date.now(), suppressed: 0 });
        logger.warn(`online features of ${event.featureSet}: ${event.outcome} after ${event.durationMs.toFixed(1)} ms, answering with contract defaults${more}: ${event.error ?? ''}`);
      },
    });
  },
};

/** Serving released models: the release loader, the catalog of loaded versions and the InferenceService RPCs. */
@Module({
  controllers: [InferenceController, OpenInferenceController],
  providers: [
    ModelCatalog,
    PredictionService,
    ReleaseLoader,
    ServingMetrics,
    VersionLoader,
    { provide: ModelRegistry, useClass: GrpcModelRegistry },
    { provide: FeatureStore, useClass: GrpcFeatureStore },
    featureAssemblerProvider,
  ],
})
export class ServingModule {}

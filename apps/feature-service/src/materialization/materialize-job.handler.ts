import { Injectable } from '@nestjs/common';
import { contractLabel } from '../feature-set/feature-set';
import { FeatureSetService } from '../feature-set/feature-set.service';
import type { JobContext, JobCounters, JobHandler } from '../jobs/job';
import { OnlineCache } from '../online/online-cache';
import { type MaterializeCheckpoint, materializeParamsOf, resumePointOf, slicesOf } from './materialization-plan';
import { MaterializationRepository } from './materialization.repository';

/** Slices written at once. */
const SLICE_CONCURRENCY = 2;

/**
 * Runs materialize jobs: rewrites the feature set's tiles slice by slice over the event-time
 * range (one transaction and one checkpoint per slice, so a crashed job resumes at the next
 * slice and a re-run writes identical tiles), then, unless offline-only, re-evaluates the
 * online values at max(end, materialized_until) and invalidates this process's online cache.
 */
@Injectable()
export class MaterializeJobHandler implements JobHandler {
  readonly kind = 'materialize';

  constructor(
    private readonly featureSets: FeatureSetService,
    private readonly store: MaterializationRepository,
    private readonly onlineCache: OnlineCache,
  ) {}

  async run({ job, signal, logger, checkpoint }: JobContext): Promise<Partial<JobCounters>> {
    const params = materializeParamsOf(job.params);
    const featureSet = await this.featureSets.get(params.featureSet);
    const label = contractLabel(featureSet);
    const source = featureSet.source.spec.name;
    const started = Date.now();
    const from = resumePointOf(job.checkpoint, params.start, params.end);
    const counters: JobCounters = { ...job.counters };
    const remaining = await this.store.countEvents(source, from, params.end);
    if (from.getTime() === params.start.getTime()) counters.rowsTotal = remaining;
    const features = featureSet.spec.features.length;
    let eventsThisRun = 0;

    const slices = slicesOf(from, params.end, remaining);
    // Slices are written SLICE_CONCURRENCY at a time (separate transactions: PostgreSQL uses a
    // core each; PGlite runs them one after the other); the checkpoint follows each group.
    for (let first = 0; first < slices.length; first += SLICE_CONCURRENCY) {
      const group = slices.slice(first, first + SLICE_CONCURRENCY);
      const groupStart = group[0]?.start ?? from;
      const groupEnd = group.at(-1)?.end ?? params.end;
      if (signal.aborted) throw new Error(`materialization of ${label} stopped at ${groupStart.toISOString()}`);
      const written = await Promise.all(group.map((slice) => this.store.writeTiles(featureSet, slice.start, slice.end)));
      const events = written.reduce((total, slice) => total + slice.events, 0);
      const tiles = written.reduce((total, slice) => total + slice.tiles, 0);
      counters.rowsRead += events;
      counters.valuesWritten += tiles * features;
      eventsThisRun += events;
      const done: MaterializeCheckpoint = { doneUntil: groupEnd.toISOString() };
      await checkpoint(done, counters);
      logger.info(
        { featureSet: label, sliceStart: groupStart, sliceEnd: groupEnd, events, tiles, rowsRead: counters.rowsRead, rowsTotal: counters.rowsTotal },
        `materialize ${label} [${groupStart.toISOString()}, ${groupEnd.toISOString()}) events=${events} tiles=${tiles} progress=${counters.rowsRead}/${counters.rowsTotal}`,
      );
    }

    let onlineText = 'online=skipped (offline_only)';
    if (!params.offlineOnly) {
      if (signal.aborted) throw new Error(`materialization of ${label} stopped before the online refresh`);
      const refresh = await this.store.refreshOnline(featureSet, params.end);
      this.onlineCache.invalidate(featureSet.id, refresh.generation);
      counters.valuesWritten += refresh.rows * features;
      onlineText = `online_rows=${refresh.rows} materialized_until=${refresh.evaluatedAt.toISOString()} generation=${refresh.generation}`;
    }
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    logger.info(
      { featureSet: label, rowsRead: counters.rowsRead, valuesWritten: counters.valuesWritten, durationMs: Math.round(seconds * 1000), eventsPerSecond: Math.round(eventsThisRun / seconds) },
      `materialized ${label} range [${params.start.toISOString()}, ${params.end.toISOString()}) events=${counters.rowsRead} values=${counters.valuesWritten} ${onlineText} in ${seconds.toFixed(2)} s (${Math.round(eventsThisRun / seconds)} events/s)`,
    );
    return counters;
  }
}

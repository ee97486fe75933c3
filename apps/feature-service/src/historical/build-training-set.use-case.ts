import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, ResourceExhaustedError } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { FEATURE_CONFIG, type FeatureConfig } from '../config/feature.config';
import { type DatasetCell, nullCell, type DatasetSnapshot } from '../dataset/dataset';
import { DatasetContentBuilder } from '../dataset/dataset-content';
import { DatasetService } from '../dataset/dataset.service';
import type { EvaluatedFeature } from '../evaluation/evaluation';
import { FeatureEvaluator } from '../evaluation/feature-evaluator';
import { servedValueOf } from '../evaluation/feature-status';
import type { FeatureDef, FeatureSet } from '../feature-set/feature-set';
import { FeatureSetService } from '../feature-set/feature-set.service';
import type { Source } from '../source/source';
import { SourceService } from '../source/source.service';
import { EntityRowRepository } from './entity-row.repository';
import type { EntityRow, TrainingSetRequest } from './training-set';
import { planTrainingSet, type TrainingSetPlan } from './training-set-plan';

/** Entity rows evaluated per round (bounds the memory of one evaluation). */
const ROWS_PER_ROUND = 5_000;

/**
 * GetHistoricalFeatures: resolves the feature sets (and the query's source), selects the
 * entity rows, evaluates every feature point-in-time correctly at each row's timestamp, and
 * stores the result as a content-addressed dataset snapshot.
 */
@Injectable()
export class BuildTrainingSetUseCase {
  constructor(
    private readonly featureSets: FeatureSetService,
    private readonly sources: SourceService,
    private readonly entityRows: EntityRowRepository,
    private readonly evaluator: FeatureEvaluator,
    private readonly datasets: DatasetService,
    @Inject(FEATURE_CONFIG) private readonly config: FeatureConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Builds (or finds, for identical content) the training set; NOT_FOUND, INVALID_ARGUMENT or RESOURCE_EXHAUSTED as the contract says. */
  async execute(request: TrainingSetRequest): Promise<DatasetSnapshot> {
    const started = performance.now();
    const featureSets: FeatureSet[] = [];
    for (const [index, ref] of request.featureSets.entries()) featureSets.push(await this.featureSets.get(ref, `feature_sets[${index}]`));
    const querySource = request.entities.kind === 'query' ? await this.sources.get(request.entities.query.source, 0, 'query.source') : undefined;
    const plan = planTrainingSet(request, featureSets, querySource);

    const rows = await this.entityRowsOf(request, plan, querySource);
    const builder = new DatasetContentBuilder(plan.columns, plan.contracts);
    for (let start = 0; start < rows.length; start += ROWS_PER_ROUND) {
      const round = rows.slice(start, start + ROWS_PER_ROUND);
      const featureCells = await this.featureCellsOf(plan, round, request.knownAt);
      round.forEach((row, index) => builder.add([row.entityId, row.at.toISOString(), ...row.extras, ...(featureCells[index] ?? [])]));
    }
    const snapshot = await this.datasets.store(builder.finish(), storedRequestOf(request));
    this.logger.info(
      { dataset: snapshot.id, digest: snapshot.digest, rows: snapshot.rowCount, featureSets: plan.contracts.map((contract) => `${contract.name}:${contract.version}`) },
      `built training set dataset=${snapshot.id} rows=${snapshot.rowCount} digest=${snapshot.digest.slice(0, 19)}… in ${Math.round(performance.now() - started)} ms`,
    );
    return snapshot;
  }

  private async entityRowsOf(request: TrainingSetRequest, plan: TrainingSetPlan, querySource: Source | undefined): Promise<readonly EntityRow[]> {
    const limit = this.config.maxDatasetRows;
    const rows =
      request.entities.kind === 'rows' || querySource === undefined
        ? request.entities.kind === 'rows'
          ? request.entities.rows
          : []
        : await this.entityRows.select({ query: request.entities.query, source: querySource, keyFields: plan.keyFields, limit: limit + 1, ...(request.knownAt === undefined ? {} : { knownAt: request.knownAt }) });
    if (rows.length > limit) throw new ResourceExhaustedError(`the training set would have more than ${limit} rows (MAX_DATASET_ROWS); narrow the entity query's time range or filter`);
    return rows;
  }

  /**
   * The feature cells of each row, feature sets in plan order. Evaluated from the raw events,
   * not the tiles: exact whatever has been materialized, and only the events read can honour
   * known_at (a tile mixes events ingested before and after the cutoff).
   */
  private async featureCellsOf(plan: TrainingSetPlan, rows: readonly EntityRow[], knownAt: Date | undefined): Promise<DatasetCell[][]> {
    const cells: DatasetCell[][] = rows.map(() => []);
    const targets = rows.map((row) => ({ entityKey: row.entityId, at: row.at }));
    for (const { featureSet, features } of plan.featureSets) {
      if (features.length === 0) continue;
      const evaluated = await this.evaluator.evaluate(
        featureSet,
        targets,
        knownAt === undefined ? { from: 'events' } : { from: 'events', knownAt },
        features.map((feature) => feature.name),
      );
      rows.forEach((row, rowIndex) => {
        features.forEach((feature, featureIndex) => cells[rowIndex]?.push(trainingCellOf(evaluated[rowIndex]?.[featureIndex], feature, row.at, featureSet.spec.ttlSeconds)));
      });
    }
    return cells;
  }
}

/**
 * A feature's cell in a training set, "TTL applied": what online serving would have served at
 * the row's timestamp, except that a STALE value is not used — it becomes the declared default,
 * or a null with reason MISSING.
 */
export function trainingCellOf(evaluated: EvaluatedFeature | undefined, feature: FeatureDef, at: Date, ttlSeconds: number | undefined): DatasetCell {
  const served = servedValueOf(evaluated ?? { value: null, nullReason: 'MISSING' }, feature, at, ttlSeconds);
  if (served.status === 'STALE') return feature.defaultValue === undefined || feature.defaultValue === null ? nullCell('MISSING') : feature.defaultValue;
  return served.value === null ? nullCell(served.nullReason ?? 'MISSING') : served.value;
}

/** What `datasets.request` records about the first request that built a snapshot (inline rows by count only). */
function storedRequestOf(request: TrainingSetRequest): Record<string, unknown> {
  return {
    featureSets: request.featureSets,
    features: request.features,
    knownAt: request.knownAt?.toISOString() ?? null,
    entities: request.entities.kind === 'rows' ? { rows: request.entities.rows.length } : { query: request.entities.query },
  };
}

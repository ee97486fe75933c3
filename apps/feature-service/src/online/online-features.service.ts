import { Inject, Injectable } from '@nestjs/common';
import { type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';
import { FEATURE_CONFIG, type FeatureConfig } from '../config/feature.config';
import type { EvaluatedFeature } from '../evaluation/evaluation';
import { evaluatedFeaturesOf, FeatureEvaluator } from '../evaluation/feature-evaluator';
import { servedValueOf, type ServedValue } from '../evaluation/feature-status';
import type { FeatureDef, FeatureSet } from '../feature-set/feature-set';
import { FeatureSetService } from '../feature-set/feature-set.service';
import { OnlineCache, type OnlineRow } from './online-cache';
import { OnlineRepository } from './online.repository';


/**
 * Longest entity ID a call may name, in UTF-8 bytes: the same bound inference-service puts on
 * prediction rows (an ID is echoed in answers and errors; a longer one can make an answer larger
 * than a gRPC message may be).
 */
export const MAX_ENTITY_ID_BYTES = 1024;
/**
 * How long this process trusts the online_generation it last read before reading it again:
 * a materialization by another replica is served at most this long after it committed (one
 * by this process is served at once).
 */
export const GENERATION_RECHECK_MS = 1_000;

/** A GetOnlineFeatures request in domain terms. */
export interface OnlineFeaturesRequest {
  readonly featureSet: { readonly name: string; readonly version: number };
  readonly entityIds: readonly string[];
  /** Evaluate from the offline store as of this instant; undefined = the online values, now. */
  readonly asOf?: Date;
  /** Overrides the feature set's TTL. */
  readonly maxStalenessSeconds?: number;
  /** Feature names; empty = all, in declared order. */
  readonly features: readonly string[];
}

/** The served features: per entity (request order) one value per selected feature. */
export interface OnlineFeatures {
  readonly featureSet: FeatureSet;
  readonly features: readonly FeatureDef[];
  /** The instant staleness is judged at: the request's as_of, else the time of the call. */
  readonly asOf: Date;
  /**
   * The instant the values were evaluated at: the request's as_of, else the end of the
   * materialization the online rows were refreshed at; undefined when nothing was evaluated
   * (never materialized and no online row).
   */
  readonly valuesAsOf?: Date;
  readonly entities: readonly { readonly entityId: string; readonly values: readonly ServedValue[] }[];
}

/**
 * Online serving: the latest materialized values of entities (through the in-process
 * {@link OnlineCache}), evaluated at the end of the latest materialization, or the exact
 * values as of a past instant from the offline tiles, each with its status (PRESENT, STALE,
 * MISSING, DEFAULTED) and the instant the values are as of.
 */
@Injectable()
export class OnlineFeaturesService {
  /** Feature set versions are immutable: their definitions are kept after the first read. */
  private readonly definitions = new Map<string, FeatureSet>();

  constructor(
    private readonly featureSets: FeatureSetService,
    private readonly evaluator: FeatureEvaluator,
    private readonly rows: OnlineRepository,
    private readonly cache: OnlineCache,
    @Inject(FEATURE_CONFIG) private readonly config: FeatureConfig,
  ) {}

  /**
   * Serves `request`. INVALID_ARGUMENT for version < 1, no or too many entity IDs, unknown
   * feature names or a negative max staleness; NOT_FOUND for a feature set version not applied.
   */
  async get(request: OnlineFeaturesRequest, now = new Date()): Promise<OnlineFeatures> {
    this.checkRequest(request);
    const featureSet = await this.definitionOf(request.featureSet);
    const selected = selectedFeatures(featureSet, request.features);
    const at = request.asOf ?? now;
    const { evaluated, valuesAsOf } =
      request.asOf === undefined ? await this.fromOnlineStore(featureSet, request.entityIds, selected) : { evaluated: await this.asOf(featureSet, request.entityIds, request.asOf, selected), valuesAsOf: request.asOf };
    const staleness = request.maxStalenessSeconds ?? featureSet.spec.ttlSeconds;
    return {
      featureSet,
      features: selected.map(({ feature }) => feature),
      asOf: at,
      ...(valuesAsOf === undefined ? {} : { valuesAsOf }),
      entities: request.entityIds.map((entityId, row) => ({
        entityId,
        values: selected.map(({ feature }, column) => servedValueOf(evaluated[row]?.[column] ?? { value: null, nullReason: 'MISSING' }, feature, at, staleness)),
      })),
    };
  }

  private checkRequest(request: OnlineFeaturesRequest): void {
    const violations: FieldViolation[] = [];
    if (request.featureSet.version < 1) violations.push({ field: 'feature_set.version', description: `clients pin a feature set version (>= 1), got ${request.featureSet.version}` });
    const limit = this.config.maxOnlineEntities;
    if (request.entityIds.length === 0) violations.push({ field: 'entity_ids', description: `at least one entity ID is required (at most ${limit})` });
    if (request.entityIds.length > limit) violations.push({ field: 'entity_ids', description: `at most ${limit} entity IDs per call, got ${request.entityIds.length}` });
    request.entityIds.forEach((entityId, index) => {
      const bytes = Buffer.byteLength(entityId, 'utf8');
      if (bytes > MAX_ENTITY_ID_BYTES && violations.length < 20) violations.push({ field: `entity_ids[${index}]`, description: `is ${bytes} bytes long; entity IDs are at most ${MAX_ENTITY_ID_BYTES} bytes (UTF-8)` });
    });
    if (request.maxStalenessSeconds !== undefined && !(request.maxStalenessSeconds >= 0)) violations.push({ field: 'max_staleness', description: 'must not be negative' });
    if (violations.length > 0) throw InvalidArgumentError.listing('invalid GetOnlineFeatures request', violations);
  }

  private async definitionOf(ref: { readonly name: string; readonly version: number }): Promise<FeatureSet> {
    const key = `${ref.name}:${ref.version}`;
    const known = this.definitions.get(key);
    if (known !== undefined) return known;
    const featureSet = await this.featureSets.get(ref);
    this.definitions.set(key, featureSet);
    return featureSet;
  }

  /**
   * The online rows of the entities, and the instant they were evaluated at: the end of the
   * materialization that refreshed them (the earliest, should one have committed between two
   * reads), else — no entity has a row — the feature set's materialized_until.
   */
  private async fromOnlineStore(featureSet: FeatureSet, entityIds: readonly string[], selected: readonly SelectedFeature[]): Promise<{ evaluated: EvaluatedFeature[][]; valuesAsOf?: Date }> {
    const generation = await this.currentGeneration(featureSet.id);
    const found = new Map<string, OnlineRow | null>();
    const misses: string[] = [];
    for (const entityId of new Set(entityIds)) {
      const cached = this.cache.get(featureSet.id, entityId, generation);
      if (cached === undefined) misses.push(entityId);
      else found.set(entityId, cached);
    }
    if (misses.length > 0) {
      const rows = await this.rows.rows(featureSet.id, misses);
      for (const entityId of misses) {
        const row = rows.get(entityId) ?? null;
        found.set(entityId, row);
        this.cache.set(featureSet.id, entityId, generation, row);
      }
    }
    const evaluated = entityIds.map((entityId) => {
      const row = found.get(entityId) ?? null;
      // Online rows exist only for entities with events (seen); no row = never seen.
      if (row === null) return evaluatedFeaturesOf(selected.map(() => null), [], false);
      return evaluatedFeaturesOf(
        selected.map(({ index }) => row.values[index] ?? null),
        selected.map(({ index }) => row.eventTimes[index] ?? null),
        true,
      );
    });
    let valuesAsOf: Date | undefined;
    for (const row of found.values()) if (row !== null && (valuesAsOf === undefined || row.evaluatedAt < valuesAsOf)) valuesAsOf = row.evaluatedAt;
    return { evaluated, valuesAsOf: valuesAsOf ?? (await this.rows.materializedUntil(featureSet.id)) };
  }

  private async asOf(featureSet: FeatureSet, entityIds: readonly string[], asOf: Date, selected: readonly SelectedFeature[]): Promise<EvaluatedFeature[][]> {
    const unique = [...new Set(entityIds)];
    const results = await this.evaluator.evaluate(
      featureSet,
      unique.map((entityKey) => ({ entityKey, at: asOf })),
      { from: 'tiles' },
      selected.map(({ feature }) => feature.name),
    );
    const byEntity = new Map(unique.map((entityId, index) => [entityId, results[index] ?? []]));
    return entityIds.map((entityId) => byEntity.get(entityId) ?? []);
  }

  private async currentGeneration(featureSetId: string): Promise<bigint> {
    const known = this.cache.knownGeneration(featureSetId);
    const now = Date.now();
    if (known !== undefined && now - known.checkedAt < GENERATION_RECHECK_MS) return known.generation;
    this.cache.noteGeneration(featureSetId, await this.rows.generation(featureSetId), now);
    return this.cache.knownGeneration(featureSetId)?.generation ?? 0n;
  }
}

interface SelectedFeature {
  readonly feature: FeatureDef;
  /** Declared position (index into the online row's arrays). */
  readonly index: number;
}

function selectedFeatures(featureSet: FeatureSet, names: readonly string[]): SelectedFeature[] {
  const all = featureSet.spec.features.map((feature, index) => ({ feature, index }));
  if (names.length === 0) return all;
  const violations: FieldViolation[] = [];
  const selected: SelectedFeature[] = [];
  names.forEach((name, position) => {
    const match = all.find(({ feature }) => feature.name === name);
    if (match !== undefined && selected.includes(match)) return;
    if (match === undefined) violations.push({ field: `features[${position}]`, description: `feature set ${featureSet.spec.name}:${featureSet.spec.version} has no feature "${name}" (it has ${all.map(({ feature }) => feature.name).join(', ')})` });
    else selected.push(match);
  });
  if (violations.length > 0) throw new InvalidArgumentError(`unknown features: ${violations.map((violation) => violation.description).join('; ')}`, violations);
  // Values are answered in the feature set's declared order (FeatureValue order contract).
  return selected.sort((left, right) => left.index - right.index);
}

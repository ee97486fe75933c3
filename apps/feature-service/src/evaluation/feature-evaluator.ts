import { Injectable } from '@nestjs/common';
import type { FeatureSet } from '../feature-set/feature-set';
import type { Scalar } from '../shared/scalar';
import type { EvaluatedFeature, EvaluationInput, EvaluationTarget } from './evaluation';
import { evaluationSql } from './evaluation-sql';
import { EvaluationRepository } from './evaluation.repository';
import { featureSlotsOf } from './window-sql';

/** Targets evaluated per statement. */
const TARGETS_PER_STATEMENT = 5_000;

/**
 * Evaluates feature sets at (entity, instant) targets, exactly: each feature aggregates the
 * events in its window (at - window, at] (all history without a window) that pass its filter,
 * read from the materialized tiles or, for "as known at" reads, from the raw events. Set-based:
 * one statement per batch of targets.
 */
@Injectable()
export class FeatureEvaluator {
  constructor(private readonly repository: EvaluationRepository) {}

  /**
   * result[i][j] = feature j (declared order, or the order of `features`) at target i.
   * Throws (a programming error) for a feature name the set does not have: callers validate names.
   */
  async evaluate(featureSet: FeatureSet, targets: readonly EvaluationTarget[], input: EvaluationInput, features?: readonly string[]): Promise<EvaluatedFeature[][]> {
    const slots = featureSlotsOf(featureSet, features);
    const sql = evaluationSql(featureSet, slots, input);
    const results: EvaluatedFeature[][] = [];
    for (let start = 0; start < targets.length; start += TARGETS_PER_STATEMENT) {
      const batch = targets.slice(start, start + TARGETS_PER_STATEMENT);
      const rows = await this.repository.evaluate(sql, paramsOf(featureSet, batch, input));
      for (const row of rows) results.push(evaluatedFeaturesOf(row.vals, row.ets, row.seen));
    }
    return results;
  }
}

/**
 * Evaluated features from stored JSON arrays (the evaluation statement's or an online row's):
 * a null value is EMPTY_WINDOW when the entity had events at or before the instant, else MISSING.
 */
export function evaluatedFeaturesOf(values: readonly Scalar[], eventTimes: readonly (string | null)[], seen: boolean): EvaluatedFeature[] {
  return values.map((value, index) => {
    const eventTime = eventTimes[index];
    if (value === null || value === undefined) return { value: null, nullReason: seen ? 'EMPTY_WINDOW' : 'MISSING' };
    return eventTime === null || eventTime === undefined ? { value } : { value, eventTime: new Date(eventTime) };
  });
}

function paramsOf(featureSet: FeatureSet, batch: readonly EvaluationTarget[], input: EvaluationInput): unknown[] {
  const entityKeys = batch.map((target) => target.entityKey);
  const instants = batch.map((target) => target.at.toISOString());
  if (input.from === 'tiles') return [entityKeys, instants, featureSet.id];
  const latest = new Date(Math.max(...batch.map((target) => target.at.getTime())));
  const params: unknown[] = [entityKeys, instants, featureSet.source.spec.name, latest.toISOString()];
  if (input.knownAt !== undefined) params.push(input.knownAt.toISOString());
  return params;
}

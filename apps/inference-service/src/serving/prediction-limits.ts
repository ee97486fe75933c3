import { predictionRowViolations } from '@strata/contracts';
import { InvalidArgumentError } from '@strata/service-runtime';
import type { AssemblyRow } from '../features';

/**
 * Checks a request's rows before anything is fetched or run: at most 1000 rows, entity IDs of at
 * most 1024 bytes, feature names of at most 256 bytes, at most 100,000 feature values in all
 * (`PREDICTION_LIMITS` of the contract), and no NaN or ±Infinity feature value.
 *
 * @throws InvalidArgumentError listing every bad field (`rows[0].entity_id`,
 *   `rows[2].features.distance`, `rows` for the counts), at most 100 of them.
 */
export function checkPredictionRows(rows: readonly AssemblyRow[]): void {
  const violations = predictionRowViolations(rows);
  if (violations.length === 0) return;
  throw InvalidArgumentError.listing(`invalid rows (${violations.length} bad field${violations.length === 1 ? '' : 's'})`, violations);
}

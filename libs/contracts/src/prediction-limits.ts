/**
 * Size limits of a prediction request's rows (`PredictRequest.rows` of strata.inference.v1 and
 * strata.gateway.v1, `rows` of the gateway's REST predict), documented in
 * protos/strata/inference/v1/inference.proto. inference-service enforces them for every caller;
 * the gateway checks the same on REST before forwarding. They bound what one request makes
 * inference and the feature-service do, and what is echoed back: an entity ID reappears in
 * `feature_issues` and error details, so an unbounded one made answers larger than a gRPC
 * message may be.
 */
export const PREDICTION_LIMITS = {
  /** Most rows in one request. */
  maxRows: 1000,
  /** Longest entity ID, in UTF-8 bytes (a composite key joined with `|` included). */
  maxEntityIdBytes: 1024,
  /** Longest caller-supplied feature name, in UTF-8 bytes (`<feature_set>.<feature>` is at most 127). */
  maxFeatureNameBytes: 256,
  /** Most caller-supplied feature values in one request, summed over its rows (rows × features). */
  maxFeatureValues: 100_000,
} as const;

/** A prediction row as both sides see it: the entity ID and the caller's feature values by name. */
export interface PredictionRowView {
  readonly entityId: string;
  readonly features: Readonly<Record<string, unknown>>;
}

/** One bad field of the rows (a google.rpc.BadRequest field violation). */
export interface RowViolation {
  /** `rows`, `rows[0].entity_id`, `rows[2].features`, `rows[2].features.distance`. */
  readonly field: string;
  readonly description: string;
}

/** Most violations {@link predictionRowViolations} lists. */
const MAX_LISTED = 100;

/**
 * Every way `rows` breaks {@link PREDICTION_LIMITS}, and every feature value that is NaN,
 * Infinity or -Infinity (no feature takes them: a JSON number beyond the double range, `1e400`,
 * reads as Infinity; a missing value is null). Empty when the rows are fine. More rows than
 * allowed is answered alone, without looking at them.
 */
export function predictionRowViolations(rows: readonly PredictionRowView[]): RowViolation[] {
  const { maxRows, maxEntityIdBytes, maxFeatureNameBytes, maxFeatureValues } = PREDICTION_LIMITS;
  if (rows.length > maxRows) return [{ field: 'rows', description: `has ${rows.length} rows; at most ${maxRows} per request` }];
  const violations: RowViolation[] = [];
  const add = (field: string, description: string): void => {
    if (violations.length < MAX_LISTED) violations.push({ field, description });
  };
  const values = rows.reduce((sum, row) => sum + Object.keys(row.features).length, 0);
  if (values > maxFeatureValues) add('rows', `carry ${values} feature values; at most ${maxFeatureValues} per request, summed over the rows (rows × features)`);
  rows.forEach((row, index) => {
    const entityBytes = Buffer.byteLength(row.entityId, 'utf8');
    if (entityBytes > maxEntityIdBytes) add(`rows[${index}].entity_id`, `is ${entityBytes} bytes long; entity IDs are at most ${maxEntityIdBytes} bytes (UTF-8)`);
    for (const [name, value] of Object.entries(row.features)) {
      const nameBytes = Buffer.byteLength(name, 'utf8');
      if (nameBytes > maxFeatureNameBytes) add(`rows[${index}].features`, `has a feature name of ${nameBytes} bytes; feature names are at most ${maxFeatureNameBytes} bytes (UTF-8)`);
      else if (typeof value === 'number' && !Number.isFinite(value)) {
        add(`rows[${index}].features.${name}`, `is ${String(value)}: feature values must be finite numbers (NaN, Infinity and -Infinity are refused; a number beyond ±1.8e308 reads as Infinity; send null for a missing value)`);
      }
    }
  });
  return violations;
}

/**
 * Shadow mirroring and version comparison for the inference service.
 *
 * A candidate version (the shadow alias, or a canary) is compared with the primary
 * (`production`) on requests both answered. Agreement is judged row by row over the outputs
 * both versions return; a row agrees when every such output agrees on it:
 * - float outputs whose last dimension has more than one column (class scores): same arg-max;
 * - other float outputs: on the same side of 0.5 when both values are in [0, 1] (a probability),
 *   otherwise equal within a relative 1e-6 (`|a − b| ≤ 1e-6 × max(1, |a|, |b|)`);
 * - integer, BOOL and BYTES outputs (labels): equal.
 * Outputs whose datatype kind, shape or length differ make every row of the request disagree.
 * The agreement rate is agreeing rows / compared rows; the mean absolute difference is taken
 * over every float element compared. Latency and error deltas are candidate minus primary:
 * for a shadow from the mirrored pairs, for a canary from each alias's live requests. A window
 * restarts when the primary or candidate version changes.
 *
 * @packageDocumentation
 */
export { LatencyHistogram, MAX_TRACKED_LATENCY_US } from './latency-histogram';
export { compareOutputs, FLOAT_TOLERANCE, type InferenceOutputs, type OutputComparison } from './output-comparison';
export { DEFAULT_MAX_SHADOW_IN_FLIGHT, type MirrorOutcome, ShadowMirror, type ShadowMirrorCounters, type ShadowMirrorOptions } from './shadow-mirror';
export {
  DEFAULT_STALE_VERSION_GRACE_MS,
  type PairedCandidateRun,
  type PairedRun,
  TrafficComparisons,
  type TrafficComparisonsOptions,
} from './traffic-comparisons';
export { type AliasVersion, type ComparisonKind, VersionComparison, type VersionComparisonInit, type VersionComparisonView } from './version-comparison';

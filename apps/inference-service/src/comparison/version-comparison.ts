import { LatencyHistogram } from './latency-histogram';
import type { OutputComparison } from './output-comparison';

const { round } = Math;

/** Shadow: the same requests scored by both versions. Canary: requests split between them. */
export type ComparisonKind = 'shadow' | 'canary';

/** An alias and the version it resolved to. */
export interface AliasVersion {
  readonly alias: string;
  readonly version: number;
}

/** A candidate version against the primary over the current window, as GetModelStatus reports it. */
export interface VersionComparisonView {
  readonly kind: ComparisonKind;
  readonly primaryAlias: string;
  readonly primaryVersion: number;
  readonly candidateAlias: string;
  readonly candidateVersion: number;
  /** Requests the candidate handled (answered or failed) in the window. */
  readonly sampleCount: number;
  /** Requests scored by both versions whose outputs were compared. */
  readonly pairedSampleCount: number;
  /** Agreeing rows / compared rows over the paired samples; `undefined` while none. */
  readonly agreementRate?: number;
  /** Mean |primary − candidate| over the float output elements compared; `undefined` while none. */
  readonly meanAbsDiff?: number;
  /** Candidate p50 − primary p50 of successful requests, µs; 0 while either side has none. */
  readonly p50LatencyDeltaUs: number;
  /** Candidate p99 − primary p99 of successful requests, µs; 0 while either side has none. */
  readonly p99LatencyDeltaUs: number;
  /** Candidate error rate − primary error rate, in [-1, 1]; 0 while either side has no request. */
  readonly errorRateDelta: number;
  readonly windowStart: Date;
}

/** Requests, errors and the latency of successful ones, for one side of a comparison. */
class SideStats {
  readonly latency = new LatencyHistogram();
  requests = 0;
  errors = 0;

  record(latencyUs: number, ok: boolean): void {
    this.requests++;
    if (ok) this.latency.record(latencyUs);
    else this.errors++;
  }

  get errorRate(): number {
    return this.requests === 0 ? 0 : this.errors / this.requests;
  }
}

/** Which versions a comparison is between, and since when. */
export interface VersionComparisonInit {
  readonly kind: ComparisonKind;
  readonly primary: AliasVersion;
  readonly candidate: AliasVersion;
  readonly windowStart: Date;
}

/**
 * Accumulates one candidate version against one primary version: paired output comparisons
 * (agreement, absolute difference), and per side the latency of successful requests and the
 * error count. Memory is fixed (two {@link LatencyHistogram}s and a few counters). The window
 * is the object's lifetime: a version change means a new instance (see `TrafficComparisons`).
 */
export class VersionComparison {
  readonly kind: ComparisonKind;
  readonly primary: AliasVersion;
  readonly candidate: AliasVersion;
  readonly windowStart: Date;
  private readonly primaryStats = new SideStats();
  private readonly candidateStats = new SideStats();
  private pairs = 0;
  private rows = 0;
  private agreeingRows = 0;
  private absDiffSum = 0;
  private comparedElements = 0;

  constructor(init: VersionComparisonInit) {
    this.kind = init.kind;
    this.primary = { alias: init.primary.alias, version: init.primary.version };
    this.candidate = { alias: init.candidate.alias, version: init.candidate.version };
    this.windowStart = init.windowStart;
  }

  /** Counts one request served by the primary version. */
  recordPrimary(latencyUs: number, ok: boolean): void {
    this.primaryStats.record(latencyUs, ok);
  }

  /** Counts one request served (or mirrored) by the candidate version. */
  recordCandidate(latencyUs: number, ok: boolean): void {
    this.candidateStats.record(latencyUs, ok);
  }

  /** Adds the output comparison of one request both versions answered. */
  recordOutputs(comparison: OutputComparison): void {
    this.pairs++;
    this.rows += comparison.rows;
    this.agreeingRows += comparison.agreeingRows;
    this.absDiffSum += comparison.absDiffSum;
    this.comparedElements += comparison.comparedElements;
  }

  /** The comparison so far. */
  view(): VersionComparisonView {
    const primary = this.primaryStats;
    const candidate = this.candidateStats;
    const bothServed = primary.requests > 0 && candidate.requests > 0;
    return {
      kind: this.kind,
      primaryAlias: this.primary.alias,
      primaryVersion: this.primary.version,
      candidateAlias: this.candidate.alias,
      candidateVersion: this.candidate.version,
      sampleCount: candidate.requests,
      pairedSampleCount: this.pairs,
      ...(this.rows === 0 ? {} : { agreementRate: this.agreeingRows / this.rows }),
      ...(this.comparedElements === 0 ? {} : { meanAbsDiff: this.absDiffSum / this.comparedElements }),
      p50LatencyDeltaUs: quantileDelta(primary.latency, candidate.latency, 0.5),
      p99LatencyDeltaUs: quantileDelta(primary.latency, candidate.latency, 0.99),
      errorRateDelta: bothServed ? candidate.errorRate - primary.errorRate : 0,
      windowStart: this.windowStart,
    };
  }
}

function quantileDelta(primary: LatencyHistogram, candidate: LatencyHistogram, q: number): number {
  const a = primary.quantile(q);
  const b = candidate.quantile(q);
  return a === undefined || b === undefined ? 0 : round(b - a);
}

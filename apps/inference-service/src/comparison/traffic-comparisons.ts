import { compareOutputs, type InferenceOutputs } from './output-comparison';
import { type AliasVersion, type ComparisonKind, VersionComparison, type VersionComparisonView } from './version-comparison';

/** One side of a request scored by two versions: what it returned (or how it failed) and how long it took. */
export type PairedRun = AliasVersion & { readonly latencyUs: number } & (
    | { readonly outputs: InferenceOutputs; readonly error?: undefined }
    | { readonly outputs?: undefined; readonly error: unknown }
  );

/** The candidate side of a pair, and whether it is the shadow copy or a canary request. */
export type PairedCandidateRun = PairedRun & { readonly kind: ComparisonKind };

/** Options of {@link TrafficComparisons}. */
export interface TrafficComparisonsOptions {
  /** The alias candidates are compared with in live records. Default `production`. */
  readonly primaryAlias?: string;
  /** Clock for window starts and the grace period. Default `new Date()`. */
  readonly now?: () => Date;
  /**
   * After an alias moves to a new version, records of its previous version are ignored for this
   * long instead of resetting the window again: requests in flight on the old session finish
   * after the move. Default 30,000 ms; a rollback inside it is picked up when it ends.
   */
  readonly staleVersionGraceMs?: number;
}

/** The default grace period for records of an alias's previous version. */
export const DEFAULT_STALE_VERSION_GRACE_MS = 30_000;

interface AliasVersionState {
  current: number;
  previous?: number;
  switchedAtMs: number;
}

type Acceptance = 'current' | 'switched' | 'stale';

class ModelBook {
  readonly versions = new Map<string, AliasVersionState>();
  readonly comparisons = new Map<string, VersionComparison>();
}

function comparisonKey(kind: ComparisonKind, candidateAlias: string): string {
  return `${kind}\u0000${candidateAlias}`;
}

const KIND_ORDER: Record<ComparisonKind, number> = { canary: 0, shadow: 1 };

/**
 * The comparison book the service keeps per model name: every canary and shadow version
 * against the primary (`production`), each over a window that restarts when either version
 * changes.
 *
 * - Canary: latency and error deltas come from the live requests of each alias
 *   ({@link recordLive}); agreement and output difference from canary requests whose inputs
 *   were also run on production ({@link recordPair} with `kind: 'canary'`).
 * - Shadow: everything comes from the mirrored pairs ({@link recordPair} with `kind: 'shadow'`):
 *   the live primary's latency and outcome against the shadow run's.
 *
 * Memory is bounded by models × aliases (two fixed-size histograms per comparison).
 */
export class TrafficComparisons {
  private readonly primaryAlias: string;
  private readonly now: () => Date;
  private readonly graceMs: number;
  private readonly books = new Map<string, ModelBook>();

  /** @throws {RangeError} when `staleVersionGraceMs` is negative or not a number. */
  constructor(options: TrafficComparisonsOptions = {}) {
    const graceMs = options.staleVersionGraceMs ?? DEFAULT_STALE_VERSION_GRACE_MS;
    if (!(graceMs >= 0)) throw new RangeError(`staleVersionGraceMs is ${graceMs}, expected a number of milliseconds >= 0`);
    this.primaryAlias = options.primaryAlias ?? 'production';
    this.now = options.now ?? (() => new Date());
    this.graceMs = graceMs;
  }

  /**
   * Counts one live request of `model` served by `alias` at `version` (latency in µs; `ok` false
   * when it failed). Requests of the primary alias feed every canary comparison's primary side;
   * requests of another alias feed that alias's canary comparison (created on first use).
   */
  recordLive(model: string, alias: string, version: number, latencyUs: number, ok: boolean): void {
    const book = this.bookOf(model);
    const now = this.now();
    if (this.accept(book, alias, version, now) === 'stale') return;
    if (alias === this.primaryAlias) {
      for (const comparison of book.comparisons.values()) {
        if (comparison.kind === 'canary' && comparison.primary.alias === alias) comparison.recordPrimary(latencyUs, ok);
      }
      return;
    }
    this.comparisonOf(book, 'canary', this.primaryAlias, alias, now).recordCandidate(latencyUs, ok);
  }

  /**
   * Records one request scored by two versions: a shadow copy (`candidate.kind: 'shadow'`,
   * primary = the live run) or a canary request whose inputs were also run on the primary
   * (`candidate.kind: 'canary'`). Outputs are compared when both sides have them; for a shadow
   * pair the latencies and outcomes of both sides are counted too.
   */
  recordPair(model: string, primary: PairedRun, candidate: PairedCandidateRun): void {
    const book = this.bookOf(model);
    const now = this.now();
    const primaryAcceptance = this.accept(book, primary.alias, primary.version, now);
    const candidateAcceptance = this.accept(book, candidate.alias, candidate.version, now);
    if (primaryAcceptance === 'stale' || candidateAcceptance === 'stale') return;
    const comparison = this.comparisonOf(book, candidate.kind, primary.alias, candidate.alias, now);
    if (primary.outputs !== undefined && candidate.outputs !== undefined) comparison.recordOutputs(compareOutputs(primary.outputs, candidate.outputs));
    if (candidate.kind === 'shadow') {
      comparison.recordPrimary(primary.latencyUs, primary.outputs !== undefined);
      comparison.recordCandidate(candidate.latencyUs, candidate.outputs !== undefined);
    }
  }

  /** Every canary and shadow comparison of `model` (canaries first, then by alias); empty when none. */
  comparisons(model: string): VersionComparisonView[] {
    const book = this.books.get(model);
    if (book === undefined) return [];
    return [...book.comparisons.values()]
      .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.candidate.alias.localeCompare(b.candidate.alias))
      .map((comparison) => comparison.view());
  }

  /**
   * Drops comparisons of `model` whose candidate is `candidateAlias` (both kinds), or all of the
   * model's state when no alias is given — for an alias removed from the traffic policy.
   */
  forget(model: string, candidateAlias?: string): void {
    if (candidateAlias === undefined) {
      this.books.delete(model);
      return;
    }
    const book = this.books.get(model);
    book?.comparisons.delete(comparisonKey('canary', candidateAlias));
    book?.comparisons.delete(comparisonKey('shadow', candidateAlias));
  }

  private bookOf(model: string): ModelBook {
    let book = this.books.get(model);
    if (book === undefined) {
      book = new ModelBook();
      this.books.set(model, book);
    }
    return book;
  }

  private versionOf(book: ModelBook, alias: string): number {
    // 0 until the alias is first seen; the first sighting restarts the window with the real version.
    return book.versions.get(alias)?.current ?? 0;
  }

  private comparisonOf(book: ModelBook, kind: ComparisonKind, primaryAlias: string, candidateAlias: string, now: Date): VersionComparison {
    const key = comparisonKey(kind, candidateAlias);
    const existing = book.comparisons.get(key);
    if (existing !== undefined && existing.primary.alias === primaryAlias) return existing;
    const created = this.newComparison(book, kind, primaryAlias, candidateAlias, now);
    book.comparisons.set(key, created);
    return created;
  }

  private newComparison(book: ModelBook, kind: ComparisonKind, primaryAlias: string, candidateAlias: string, now: Date): VersionComparison {
    return new VersionComparison({
      kind,
      primary: { alias: primaryAlias, version: this.versionOf(book, primaryAlias) },
      candidate: { alias: candidateAlias, version: this.versionOf(book, candidateAlias) },
      windowStart: now,
    });
  }

  // Tracks the version each alias serves; a move restarts the windows of every comparison
  // the alias is part of, and a straggler of the version just replaced is ignored.
  private accept(book: ModelBook, alias: string, version: number, now: Date): Acceptance {
    const nowMs = now.getTime();
    const state = book.versions.get(alias);
    if (state?.current === version) return 'current';
    if (state !== undefined && state.previous === version && nowMs - state.switchedAtMs < this.graceMs) return 'stale';
    book.versions.set(alias, { current: version, ...(state === undefined ? {} : { previous: state.current }), switchedAtMs: nowMs });
    for (const [key, comparison] of book.comparisons) {
      if (comparison.primary.alias === alias || comparison.candidate.alias === alias) {
        book.comparisons.set(key, this.newComparison(book, comparison.kind, comparison.primary.alias, comparison.candidate.alias, now));
      }
    }
    return 'switched';
  }
}

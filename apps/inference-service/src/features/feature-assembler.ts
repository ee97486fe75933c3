import { performance } from 'node:perf_hooks';
import { type InferenceTensor } from '../model-runtime';
import { FreshFeaturesRequiredError, type FreshnessViolation, RowInputError } from './feature-assembler.errors';
import { FetchBreaker, type FetchBreakerOptions } from './fetch-breaker';
import { type BoundInput, type FeaturePlan, type PlannedFeatureSet, type StoredColumn } from './feature-plan';
import { type FeatureContract, type FeatureScalar, type FeatureStore, FeatureStoreError, type OnlineFeatureStatus, type OnlineFeatureValue } from './feature-store';

/** GetOnlineFeatures takes at most this many entity IDs; bigger requests are split. */
export const MAX_ENTITIES_PER_FETCH = 1000;
/** PredictionDegradation.feature_issues holds at most this many entries. */
export const MAX_FEATURE_ISSUES = 100;

/**
 * One prediction row: the entity for the online fetch and the caller's feature values (plain =
 * request-time, null → NaN; qualified = override of the stored value, null = no override).
 */
export interface AssemblyRow {
  readonly entityId: string;
  readonly features: Readonly<Record<string, FeatureScalar>>;
}

/** Per-request options. */
export interface AssembleOptions {
  /** Request `strict_features`: any stored feature not PRESENT fails the request. */
  readonly strict: boolean;
  /** Version tag `strata.requires_fresh_features=true`: same as strict for every request. */
  readonly requiresFresh: boolean;
  /** Overrides the feature sets' TTL for this request. */
  readonly maxStalenessMs?: number;
}

/** A stored feature that was not served PRESENT for a row. */
export interface FeatureIssue {
  readonly entityId: string;
  /** `<feature_set>.<feature>`. */
  readonly feature: string;
  readonly status: Exclude<OnlineFeatureStatus, 'PRESENT'>;
}

/** The explicit degradation of one assembly (PredictionDegradation without version_fallback). */
export interface FeatureDegradation {
  readonly featuresStale: boolean;
  readonly featuresDefaulted: boolean;
  readonly featuresMissing: boolean;
  readonly featureFetchFailed: boolean;
  /** At most {@link MAX_FEATURE_ISSUES}, one per entity and feature. */
  readonly issues: readonly FeatureIssue[];
}

/** The assembled model inputs and what it took to build them. */
export interface AssembledFeatures {
  /** One float tensor [rows, columns] per bound input, in the input's datatype. */
  readonly inputs: Record<string, InferenceTensor>;
  /** The feature contracts the inputs follow (for the response and `strata-feature-contract`). */
  readonly contracts: readonly FeatureContract[];
  readonly degradation: FeatureDegradation;
  /** Time spent waiting for the online fetches (0 when nothing was fetched). */
  readonly featureFetchMs: number;
}

/** How one feature set fetch ended. */
export interface FeatureFetchEvent {
  readonly featureSet: string;
  /** `skipped`: the breaker is open after repeated failures; defaults were used without calling. */
  readonly outcome: 'ok' | 'failed' | 'timeout' | 'skipped';
  readonly durationMs: number;
  /** Why it failed, when it did. */
  readonly error?: string;
}

/** Running totals for metrics. */
export interface FeatureFetchStats {
  /** Feature set fetches started (one per feature set per request). */
  readonly fetches: number;
  /** Fetches that failed before the deadline. */
  readonly failures: number;
  /** Fetches cut by the deadline. */
  readonly timeouts: number;
  /** Fetches not made because the breaker was open (defaults used at once). */
  readonly skipped: number;
  /** Rows with at least one defaulted stored feature. */
  readonly defaultedRows: number;
  /** Rows with at least one stale stored feature. */
  readonly staleRows: number;
  /** Rows with at least one missing stored feature (NaN). */
  readonly missingRows: number;
}

/** Construction options of {@link FeatureAssembler}. */
export interface FeatureAssemblerOptions {
  /** Longest an assembly waits for the online fetches (FEATURE_FETCH_DEADLINE). */
  readonly deadlineMs: number;
  /** The request time (hour_of_day, day_of_week); defaults to the wall clock. */
  readonly now?: () => Date;
  /** Called once per feature set fetch (logs, latency histograms). */
  readonly onFetch?: (event: FeatureFetchEvent) => void;
  /** When to stop calling a failing feature-service for a while (default: 20 consecutive failures, 500 ms). */
  readonly breaker?: FetchBreakerOptions;
}

type ServedValues = ReadonlyMap<string, ReadonlyMap<string, OnlineFeatureValue>>;
type SetOutcome = { readonly ok: true; readonly values: ServedValues } | { readonly ok: false };
type CellStatus = OnlineFeatureStatus | 'FETCH_FAILED';

class DeadlinePassed extends Error {}

/**
 * Builds feature-bound model inputs for prediction rows: checks each row against the plan,
 * fetches the stored features online (one call per feature set, in parallel, never past the
 * deadline), applies caller overrides, derived features and contract defaults, and reports
 * every degradation explicitly.
 */
export class FeatureAssembler {
  private readonly deadlineMs: number;
  private readonly now: () => Date;
  private readonly onFetch: ((event: FeatureFetchEvent) => void) | undefined;
  private readonly breaker: FetchBreaker;
  private readonly counters = { fetches: 0, failures: 0, timeouts: 0, skipped: 0, defaultedRows: 0, staleRows: 0, missingRows: 0 };

  constructor(
    private readonly store: FeatureStore,
    options: FeatureAssemblerOptions,
  ) {
    this.deadlineMs = options.deadlineMs;
    this.now = options.now ?? ((): Date => new Date());
    this.onFetch = options.onFetch;
    this.breaker = new FetchBreaker(options.breaker);
  }

  /** A snapshot of the running totals. */
  get stats(): FeatureFetchStats {
    return { ...this.counters };
  }

  /**
   * Assembles the bound inputs of `plan` for `rows`.
   *
   * @throws {@link RowInputError} for a row that does not match the plan (unknown or missing
   *   feature, non-numeric value, empty entity ID where stored features are needed).
   * @throws {@link FreshFeaturesRequiredError} when `strict` or `requiresFresh` and a stored
   *   feature was not PRESENT (or its fetch failed).
   */
  async assemble(plan: FeaturePlan, rows: readonly AssemblyRow[], options: AssembleOptions): Promise<AssembledFeatures> {
    if (plan.tensorsOnly) {
      rows.forEach((row, index) => {
        const [name] = Object.keys(row.features);
        if (name !== undefined) throw new RowInputError(`rows[${index}].features.${name}`, 'this model version takes tensors only (it has no input bindings)');
      });
      return { inputs: {}, contracts: [], degradation: NO_DEGRADATION, featureFetchMs: 0 };
    }
    const needed = checkRows(plan, rows);
    const requestTime = this.now();
    const started = performance.now();
    const outcomes = needed.size === 0 ? new Map<string, SetOutcome>() : await this.fetchAll(plan, needed, options.maxStalenessMs);
    const featureFetchMs = needed.size === 0 ? 0 : performance.now() - started;

    const cells = new CellTracker(rows.length);
    const inputs: Record<string, InferenceTensor> = {};
    for (const input of plan.inputs) inputs[input.input] = this.tensorOf(input, rows, outcomes, requestTime, cells);
    const fetchFailed = [...outcomes.values()].some((outcome) => !outcome.ok);

    if ((options.strict || options.requiresFresh) && cells.violations.length > 0) {
      throw new FreshFeaturesRequiredError(cells.violations, options.strict ? 'STRICT_FEATURES' : 'REQUIRES_FRESH_FEATURES');
    }
    this.counters.defaultedRows += cells.rowsWith('DEFAULTED');
    this.counters.staleRows += cells.rowsWith('STALE');
    this.counters.missingRows += cells.rowsWith('MISSING');
    return {
      inputs,
      contracts: plan.featureSets.map((set) => set.contract),
      degradation: {
        featuresStale: cells.seen.has('STALE'),
        featuresDefaulted: cells.seen.has('DEFAULTED'),
        featuresMissing: cells.seen.has('MISSING'),
        featureFetchFailed: fetchFailed,
        issues: cells.issues,
      },
      featureFetchMs,
    };
  }

  private tensorOf(input: BoundInput, rows: readonly AssemblyRow[], outcomes: ReadonlyMap<string, SetOutcome>, requestTime: Date, cells: CellTracker): InferenceTensor {
    const width = input.columns.length;
    const data = input.datatype === 'FP64' ? new Float64Array(rows.length * width) : new Float32Array(rows.length * width);
    rows.forEach((row, rowIndex) => {
      input.columns.forEach((column, columnIndex) => {
        let value: number;
        if (column.kind === 'request') {
          const given = row.features[column.name];
          if (given === undefined && column.derived === 'hour_of_day') value = requestTime.getUTCHours();
          else if (given === undefined && column.derived === 'day_of_week') value = requestTime.getUTCDay();
          else value = numberOf(given ?? null);
        } else {
          const override = row.features[column.qualifiedName];
          value = override !== undefined && override !== null ? numberOf(override) : storedValue(column, row, rowIndex, outcomes.get(column.featureSet), cells);
        }
        data[rowIndex * width + columnIndex] = value;
      });
    });
    return { datatype: input.datatype, shape: [rows.length, width], data };
  }

  /** Fetches every needed feature set in parallel; whatever has not answered when the deadline passes counts as failed. */
  private async fetchAll(plan: FeaturePlan, needed: ReadonlyMap<string, readonly string[]>, maxStalenessMs: number | undefined): Promise<Map<string, SetOutcome>> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlinePassed(`no answer within ${this.deadlineMs} ms`));
      }, this.deadlineMs);
    });
    deadline.catch(() => undefined);
    try {
      const sets = plan.featureSets.filter((set) => needed.has(set.contract.name));
      const outcomes = await Promise.all(
        sets.map(async (set): Promise<[string, SetOutcome]> => {
          const started = performance.now();
          if (!this.breaker.allow(set.contract.name)) {
            this.counters.skipped += 1;
            this.onFetch?.({ featureSet: set.contract.name, outcome: 'skipped', durationMs: 0, error: 'the feature-service failed repeatedly; not called until the next probe' });
            return [set.contract.name, { ok: false }];
          }
          this.counters.fetches += 1;
          try {
            const values = await Promise.race([this.fetchSet(set, needed.get(set.contract.name) ?? [], maxStalenessMs, controller.signal), deadline]);
            this.breaker.success(set.contract.name);
            this.onFetch?.({ featureSet: set.contract.name, outcome: 'ok', durationMs: performance.now() - started });
            return [set.contract.name, { ok: true, values }];
          } catch (error) {
            this.breaker.failure(set.contract.name);
            const timedOut = error instanceof DeadlinePassed || (error instanceof FeatureStoreError && error.reason === 'TIMEOUT');
            if (timedOut) this.counters.timeouts += 1;
            else this.counters.failures += 1;
            const message = error instanceof Error ? error.message : String(error);
            this.onFetch?.({ featureSet: set.contract.name, outcome: timedOut ? 'timeout' : 'failed', durationMs: performance.now() - started, error: message });
            return [set.contract.name, { ok: false }];
          }
        }),
      );
      return new Map(outcomes);
    } finally {
      // Every fetch has settled (each one catches its own failure) or the deadline has aborted
      // them: nothing is left to cancel. (An abort per request cost a DOMException each.)
      clearTimeout(timer);
    }
  }

  private async fetchSet(set: PlannedFeatureSet, entityIds: readonly string[], maxStalenessMs: number | undefined, signal: AbortSignal): Promise<ServedValues> {
    const chunks: string[][] = [];
    for (let start = 0; start < entityIds.length; start += MAX_ENTITIES_PER_FETCH) chunks.push(entityIds.slice(start, start + MAX_ENTITIES_PER_FETCH));
    const results = await Promise.all(
      chunks.map((chunk) =>
        this.store.getOnlineFeatures(
          { featureSet: { name: set.contract.name, version: set.contract.version }, entityIds: chunk, features: set.features, ...(maxStalenessMs === undefined ? {} : { maxStalenessMs }) },
          { deadlineMs: this.deadlineMs, signal },
        ),
      ),
    );
    const values = new Map<string, ReadonlyMap<string, OnlineFeatureValue>>();
    for (const result of results) {
      for (const entity of result.entities) values.set(entity.entityId, new Map(entity.features.map((feature) => [feature.name, feature])));
    }
    return values;
  }
}

const NO_DEGRADATION: FeatureDegradation = { featuresStale: false, featuresDefaulted: false, featuresMissing: false, featureFetchFailed: false, issues: [] };

/**
 * Checks every row against the plan and returns, per feature set, the distinct entity IDs whose
 * stored values are needed (features the caller overrides in every row need no fetch).
 */
function checkRows(plan: FeaturePlan, rows: readonly AssemblyRow[]): Map<string, string[]> {
  const request = new Set(plan.requestFeatures);
  const stored = new Set(plan.storedFeatures);
  const derived = new Set(plan.inputs.flatMap((input) => input.columns.flatMap((column) => (column.kind === 'request' && column.derived !== undefined ? [column.name] : []))));
  const needed = new Map<string, Set<string>>();
  rows.forEach((row, index) => {
    for (const [name, value] of Object.entries(row.features)) {
      const field = `rows[${index}].features.${name}`;
      if (!request.has(name) && !stored.has(name)) {
        throw new RowInputError(field, `unknown feature "${name}": this model version takes request-time features ${listOf(plan.requestFeatures)} and stored features ${listOf(plan.storedFeatures)}`);
      }
      if (value !== null && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) {
        throw new RowInputError(field, `expected a number or a boolean, got ${typeof value === 'string' ? `the string ${JSON.stringify(value)}` : String(value)}`);
      }
    }
    for (const name of plan.requestFeatures) {
      if (row.features[name] === undefined && !derived.has(name)) throw new RowInputError(`rows[${index}].features.${name}`, `missing request-time feature "${name}"`);
    }
    for (const set of plan.featureSets) {
      const fetched = set.features.filter((feature) => row.features[`${set.contract.name}.${feature}`] == null);
      if (fetched.length === 0) continue;
      if (row.entityId === '') {
        throw new RowInputError(`rows[${index}].entity_id`, `is empty, but stored features ${listOf(fetched.map((feature) => `${set.contract.name}.${feature}`))} are read online for it (give the entity ID or supply those features)`);
      }
      const ids = needed.get(set.contract.name) ?? new Set<string>();
      ids.add(row.entityId);
      needed.set(set.contract.name, ids);
    }
  });
  return new Map([...needed].map(([name, ids]) => [name, [...ids]]));
}

/** The value of a stored column for one row from the fetch outcome, recording its status. */
function storedValue(column: StoredColumn, row: AssemblyRow, rowIndex: number, outcome: SetOutcome | undefined, cells: CellTracker): number {
  if (outcome === undefined || !outcome.ok) {
    cells.record(rowIndex, row.entityId, column.qualifiedName, 'FETCH_FAILED', column.defaultValue !== null);
    return column.defaultValue ?? Number.NaN;
  }
  const served = outcome.values.get(row.entityId)?.get(column.feature);
  const status: OnlineFeatureStatus = served?.status ?? 'MISSING';
  let value = served === undefined || status === 'MISSING' ? Number.NaN : numberOf(served.value);
  if (status === 'DEFAULTED' && Number.isNaN(value) && column.defaultValue !== null) value = column.defaultValue;
  // A PRESENT or STALE null (an empty window) feeds NaN: it is missing, whatever the status says.
  cells.record(rowIndex, row.entityId, column.qualifiedName, Number.isNaN(value) ? 'MISSING' : status, false);
  return value;
}

/** A caller or served scalar as a tensor element: BOOL → 1/0, null → NaN (strings cannot occur: rows are checked, plans refuse STRING features). */
function numberOf(value: FeatureScalar): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number.NaN;
}

function listOf(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, 20).map((name) => `"${name}"`).join(', ');
  return names.length > 20 ? `${shown} and ${names.length - 20} more` : shown;
}

/** Collects per-cell statuses: degradation flags, issues (deduplicated, capped), strict-mode violations, degraded rows. */
class CellTracker {
  readonly seen = new Set<OnlineFeatureStatus>();
  readonly issues: FeatureIssue[] = [];
  readonly violations: FreshnessViolation[] = [];
  private readonly issueKeys = new Set<string>();
  private readonly rowStatuses: Set<OnlineFeatureStatus>[];

  constructor(rows: number) {
    this.rowStatuses = Array.from({ length: rows }, () => new Set<OnlineFeatureStatus>());
  }

  /** Records one stored cell; a failed fetch counts as DEFAULTED when the contract has a default, MISSING otherwise. */
  record(rowIndex: number, entityId: string, feature: string, status: CellStatus, hasDefault: boolean): void {
    if (status === 'PRESENT') return;
    const effective: Exclude<OnlineFeatureStatus, 'PRESENT'> = status === 'FETCH_FAILED' ? (hasDefault ? 'DEFAULTED' : 'MISSING') : status;
    this.seen.add(effective);
    this.rowStatuses[rowIndex]?.add(effective);
    const key = `${entityId}\u0000${feature}`;
    if (this.issueKeys.has(key)) return;
    this.issueKeys.add(key);
    this.violations.push({ entityId, feature, status });
    if (this.issues.length < MAX_FEATURE_ISSUES) this.issues.push({ entityId, feature, status: effective });
  }

  rowsWith(status: OnlineFeatureStatus): number {
    return this.rowStatuses.filter((statuses) => statuses.has(status)).length;
  }
}

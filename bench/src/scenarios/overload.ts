// Issue 17, target 3 (second half): above capacity the platform sheds load fast (503 with
// Retry-After) and recovers within 1 s of the load dropping. On the shared platform, one open loop
// of REST /v1 entity-row predicts (gateway -> inference-service -> feature-service) runs at a low
// rate, then well above capacity for a few seconds, then at the low rate again; every request's
// schedule, latency, status and Retry-After header is recorded. Figures: the share of rejections
// that were 503 with Retry-After, how fast a rejection came back, and the time from the drop
// until requests succeed again at normal latency.
import { setTimeout as sleep } from 'node:timers/promises';
import { type HttpTarget, type LoadResult, type RequestRecords, runOpenLoop } from '../harness/load';
import { fixed, percentileOfSorted } from '../harness/stats';
import type { BenchContext, Figure, Scenario, ScenarioResult, TargetResult } from '../scenario';
import { restRowsTarget } from './predict-with-features';

/** The rate before and after the overload: well within capacity. */
const LOW_RATE = 100;
/**
 * Well above the platform's capacity (predict-path measures it: hundreds per second on 2 cores),
 * and what one load worker still sends nearly on time on this box (at 2,500/s it fell ~300 ms behind).
 */
const OVER_RATE = { full: 2_000, quick: 1_500 };
const OVER_SECONDS = { full: 4, quick: 2 };
const BASELINE_SECONDS = { full: 5, quick: 3 };
/** Low rate before the overload (inside the same open loop): connections warm, nothing queued. */
const LEAD_SECONDS = 2;
/** Low rate after the drop: long enough to see recovery (and its absence). */
const AFTER_SECONDS = 5;
const TIMEOUT_MS = 5_000;
const WARMUP = 100;
const SETTLE_MS = 1_000;
/**
 * Sockets the generator may open at once: the gateway holds up to MAX_IN_FLIGHT (256) requests
 * and answers the rest at once, so 1,024 leaves room for the rejections in flight; a request never
 * waits for a socket in the generator.
 */
const MAX_SOCKETS = 1_024;
/** Recovery: the first window of this length (by schedule) from the drop with no error and p99 within bound. */
const WINDOW_MS = 1_000;
/** Windows start every this many ms after the drop. */
const WINDOW_STEP_MS = 100;
/** A window's p99 is normal when within this factor of the baseline p99 (same rate, before the overload). */
const NORMAL_P99_FACTOR = 2;
const RECOVERY_BOUND_MS = 1_000;
/** A rejection is fast when its p99 is within this factor of a normal request's p99 (the baseline). */
const REJECTION_P99_FACTOR = 1;

function sortedOf(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted(sortedOf(values), p);
}

interface Indexed {
  readonly scheduledMs: number;
  /** When it actually left the generator, ms from the run's start. */
  readonly sentMs: number;
  /** How late the generator sent it (its own delay, not the platform's). */
  readonly sendLagMs: number;
  /** From its actual send to its answer: what the platform took. */
  readonly latencyMs: number;
  readonly outcome: string;
  readonly retryAfter: string;
}

function rowsOf(records: RequestRecords): Indexed[] {
  return records.scheduledMs.map((scheduledMs, index) => {
    const sendLagMs = records.sendLagMs[index] ?? 0;
    return {
      scheduledMs,
      sentMs: scheduledMs + sendLagMs,
      sendLagMs,
      latencyMs: (records.latencyMs[index] ?? Number.NaN) - sendLagMs,
      outcome: records.outcome[index] ?? 'error',
      retryAfter: records.retryAfter[index] ?? '',
    };
  });
}

/** A 503 whose Retry-After is a whole number of seconds >= 1 (the gateway's form). */
function isShed(row: Indexed): boolean {
  return row.outcome === '503' && /^[1-9]\d*$/.test(row.retryAfter.trim());
}

interface Recovery {
  /** ms from the drop to the start of the first normal window; NaN when none. */
  readonly ms: number;
  /** Errors among requests sent after the drop. */
  readonly errorsAfterDrop: number;
  /** Their outcomes (`503 x12, timeout x3`). */
  readonly errorKinds: string;
  /** When the last of them was sent, ms after the drop (NaN when none). */
  readonly lastErrorMs: number;
  /** p99 of requests scheduled at least WINDOW_MS + the recovery after the drop. */
  readonly windowP99: number;
}

/**
 * Recovery time: windows of WINDOW_MS (by actual send time) starting at the drop and every
 * WINDOW_STEP_MS after it; the first whose requests all succeeded with p99 <= bound. Only
 * windows that lie wholly within the low phase count.
 */
function recoveryOf(rows: readonly Indexed[], dropMs: number, endMs: number, p99BoundMs: number): Recovery {
  const after = rows.filter((row) => row.sentMs >= dropMs);
  const failed = after.filter((row) => row.outcome !== 'ok');
  const errorsAfterDrop = failed.length;
  const errorKinds = countBy(failed.map((row) => row.outcome));
  const lastErrorMs = failed.length === 0 ? Number.NaN : Math.max(...failed.map((row) => row.sentMs)) - dropMs;
  for (let start = dropMs; start + WINDOW_MS <= endMs + 1e-6; start += WINDOW_STEP_MS) {
    const window = after.filter((row) => row.sentMs >= start && row.sentMs < start + WINDOW_MS);
    if (window.length === 0) continue;
    const p99 = percentile(
      window.map((row) => row.latencyMs),
      99,
    );
    if (window.every((row) => row.outcome === 'ok') && p99 <= p99BoundMs) return { ms: start - dropMs, errorsAfterDrop, errorKinds, lastErrorMs, windowP99: p99 };
  }
  return { ms: Number.NaN, errorsAfterDrop, errorKinds, lastErrorMs, windowP99: Number.NaN };
}

function countBy(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value} x${count}`).join(', ');
}

export const overloadScenario: Scenario = {
  name: 'overload',
  title: 'Overload: REST entity rows well above capacity, then back to 100/s: every rejection 503 with Retry-After, rejections fast, recovery within 1 s',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const platform = await context.platform();
    const overRate = context.quick ? OVER_RATE.quick : OVER_RATE.full;
    const overSeconds = context.quick ? OVER_SECONDS.quick : OVER_SECONDS.full;
    const baselineSeconds = context.quick ? BASELINE_SECONDS.quick : BASELINE_SECONDS.full;
    const target: HttpTarget = { ...restRowsTarget(platform), maxSockets: MAX_SOCKETS };

    const baseline: LoadResult = await runOpenLoop({ target, ratePerSecond: LOW_RATE, count: LOW_RATE * baselineSeconds, timeoutMs: TIMEOUT_MS, warmup: WARMUP });
    context.log(`baseline @${LOW_RATE}/s: p50 ${fixed(baseline.stats.p50)} / p99 ${fixed(baseline.stats.p99)} ms, ${baseline.errors}/${baseline.sent} errors${baseline.errors > 0 ? ` (${baseline.errorSamples.join(' | ')})` : ''}`);
    await sleep(SETTLE_MS);

    const run = await runOpenLoop({
      target,
      ratePerSecond: LOW_RATE,
      count: LOW_RATE * LEAD_SECONDS,
      thenPhases: [
        { ratePerSecond: overRate, count: overRate * overSeconds },
        { ratePerSecond: LOW_RATE, count: LOW_RATE * AFTER_SECONDS },
      ],
      recordRequests: true,
      timeoutMs: TIMEOUT_MS,
      warmup: WARMUP,
    });
    const records = run.requests;
    if (records === undefined) throw new Error('the load worker did not record the requests');
    const rows = rowsOf(records);
    const overStart = records.phaseStartsMs[1] ?? Number.NaN;
    const dropMs = records.phaseStartsMs[2] ?? Number.NaN;
    const endMs = dropMs + AFTER_SECONDS * 1000;

    const over = rows.filter((row) => row.scheduledMs >= overStart && row.scheduledMs < dropMs);
    const rejected = rows.filter((row) => row.outcome !== 'ok');
    const shed = rejected.filter(isShed);
    const other = rejected.filter((row) => !isShed(row));
    const shedShare = rejected.length === 0 ? Number.NaN : shed.length / rejected.length;
    const shedLatencies = shed.map((row) => row.latencyMs);
    const rejectionP50 = percentile(shedLatencies, 50);
    const rejectionP99 = percentile(shedLatencies, 99);
    const overOk = over.filter((row) => row.outcome === 'ok');
    const overOkP50 = percentile(
      overOk.map((row) => row.latencyMs),
      50,
    );
    const overOkP99 = percentile(
      overOk.map((row) => row.latencyMs),
      99,
    );
    const goodput = overOk.length / overSeconds;
    const overLag = over.map((row) => row.sendLagMs);
    const lagP99 = percentile(overLag, 99);
    const lagMax = overLag.length === 0 ? Number.NaN : Math.max(...overLag);
    const normalP99Bound = NORMAL_P99_FACTOR * baseline.stats.p99;
    const recovery = recoveryOf(rows, dropMs, endMs, normalP99Bound);
    const rejectionBound = REJECTION_P99_FACTOR * baseline.stats.p99;
    context.log(
      `@${overRate}/s for ${overSeconds} s: ${over.length} sent (generator late p99 ${fixed(lagP99)} / max ${fixed(lagMax)} ms), ${overOk.length} answered (${fixed(goodput, 0)}/s, p50 ${fixed(overOkP50)} / p99 ${fixed(overOkP99)} ms); ${rejected.length} rejected in the whole run: ${shed.length} 503 + Retry-After (p50 ${fixed(rejectionP50)} / p99 ${fixed(rejectionP99)} ms)${other.length > 0 ? `, other: ${countBy(other.map((row) => row.outcome))}` : ''}`,
    );
    context.log(`after the drop to ${LOW_RATE}/s: ${recovery.errorsAfterDrop} errors${recovery.errorsAfterDrop > 0 ? ` (${recovery.errorKinds}; the last sent ${fixed(recovery.lastErrorMs, 0)} ms after the drop)` : ''}; recovered ${Number.isFinite(recovery.ms) ? `${fixed(recovery.ms, 0)} ms after the drop` : 'never'} (window p99 ${fixed(recovery.windowP99)} ms vs ${fixed(normalP99Bound)} ms)`);

    const figures: Figure[] = [
      { name: `baseline @${LOW_RATE}/s p50 (before the overload)`, value: baseline.stats.p50, unit: 'ms' },
      { name: `baseline @${LOW_RATE}/s p99`, value: baseline.stats.p99, unit: 'ms' },
      { name: `baseline @${LOW_RATE}/s errors`, value: baseline.errors, unit: 'count' },
      { name: `requests sent @${overRate}/s (${overSeconds} s)`, value: over.length, unit: 'count' },
      { name: 'generator send lag during the overload p99 (its own delay, not counted below)', value: lagP99, unit: 'ms' },
      { name: 'generator send lag during the overload max', value: lagMax, unit: 'ms' },
      { name: `answered during the overload, per second`, value: goodput, unit: 'rps' },
      { name: `answered during the overload p50`, value: overOkP50, unit: 'ms', baseline: { name: 'baseline p50', value: baseline.stats.p50 } },
      { name: `answered during the overload p99`, value: overOkP99, unit: 'ms', baseline: { name: 'baseline p99', value: baseline.stats.p99 } },
      { name: 'rejected requests (whole run)', value: rejected.length, unit: 'count' },
      { name: 'rejections that were 503 with Retry-After', value: shed.length, unit: 'count', baseline: { name: 'rejected', value: rejected.length } },
      { name: 'other failures (not 503 + Retry-After)', value: other.length, unit: 'count' },
      { name: 'rejection (503) latency p50', value: rejectionP50, unit: 'ms', baseline: { name: 'baseline p50', value: baseline.stats.p50 } },
      { name: 'rejection (503) latency p99', value: rejectionP99, unit: 'ms', baseline: { name: 'baseline p99', value: baseline.stats.p99 } },
      { name: 'recovery: from the drop to the first normal 1 s window', value: recovery.ms, unit: 'ms', baseline: { name: 'bound', value: RECOVERY_BOUND_MS } },
      { name: `errors among requests after the drop (@${LOW_RATE}/s, ${AFTER_SECONDS} s)`, value: recovery.errorsAfterDrop, unit: 'count' },
    ];
    const otherDetail = other.length === 0 ? '' : `; other: ${countBy(other.map((row) => row.outcome))}${run.errorSamples.length > 0 ? ` (${run.errorSamples.join(' | ')})` : ''}`;
    const targets: TargetResult[] = [
      {
        name: 'above capacity, every rejection is 503 with Retry-After',
        pass: rejected.length > 0 && other.length === 0,
        detail: `${shed.length} of ${rejected.length} rejections (${fixed(shedShare * 100, 1)} %) were 503 + Retry-After${otherDetail}${rejected.length === 0 ? `; nothing was rejected at ${overRate}/s: not above capacity` : ''}`,
      },
      {
        name: `rejections fast: 503 p99 <= ${REJECTION_P99_FACTOR === 1 ? '' : `${REJECTION_P99_FACTOR} x `}a normal request's p99 (baseline @${LOW_RATE}/s)`,
        pass: shed.length > 0 && rejectionP99 <= rejectionBound,
        detail: `503 p99 ${fixed(rejectionP99)} ms (p50 ${fixed(rejectionP50)}) vs baseline p99 ${fixed(rejectionBound)} ms`,
      },
      {
        name: `recovery within ${RECOVERY_BOUND_MS / 1000} s of the load dropping to ${LOW_RATE}/s`,
        pass: recovery.ms <= RECOVERY_BOUND_MS,
        detail: `${Number.isFinite(recovery.ms) ? `${fixed(recovery.ms, 0)} ms` : `no normal window in ${AFTER_SECONDS} s`} (first 1 s window with 0 errors and p99 <= ${NORMAL_P99_FACTOR} x baseline p99 = ${fixed(normalP99Bound)} ms); ${recovery.errorsAfterDrop} errors after the drop${recovery.errorsAfterDrop > 0 ? ` (${recovery.errorKinds}; the last sent ${fixed(recovery.lastErrorMs, 0)} ms after it)` : ''}`,
      },
    ];
    return {
      scenario: 'overload',
      title: this.title,
      figures,
      targets,
      notes: [
        `Load: REST /v1/models/${platform.model.name}:predict with one entity row (features fetched), through the gateway, one open loop from a separate process (${WARMUP} warm-up calls, timeout ${TIMEOUT_MS} ms, up to ${MAX_SOCKETS} keep-alive sockets): ${LEAD_SECONDS} s at ${LOW_RATE}/s, ${overSeconds} s at ${overRate}/s, then ${AFTER_SECONDS} s at ${LOW_RATE}/s, on one schedule. Here every latency counts from the request's actual send (the worker records how late it sent each one; that generator delay is shown on its own and left out: on a busy 2-core box the generator itself falls behind at these rates), and windows are placed by actual send time. The baseline is ${baselineSeconds} s at ${LOW_RATE}/s of the same request right before${baseline.errors > 0 ? ` (it had ${baseline.errors} errors: ${baseline.errorSamples.join(' | ')}; the platform was not healthy before the overload, so the targets say little)` : ''}.`,
        `Rejection: any request that did not answer 2xx. Shed: 503 with a Retry-After of whole seconds (the gateway's in-flight cap, its open breaker, or inference's own UNAVAILABLE passed on). A timeout, 504 or 5xx without Retry-After is a failure of the target.`,
        `Fast: a shed answer does a subset of a normal request's work (HTTP, key, admission; no feature fetch, no inference), so its p99 under the overload must not exceed the p99 of a whole request at ${LOW_RATE}/s measured right before (factor ${REJECTION_P99_FACTOR}).`,
        `Recovery: windows of ${WINDOW_MS} ms by actual send time, starting at the drop and every ${WINDOW_STEP_MS} ms after it, within the ${AFTER_SECONDS} s at ${LOW_RATE}/s; the recovery time is the start of the first window in which every request succeeded and the p99 is <= ${NORMAL_P99_FACTOR} x the baseline p99 (0 ms: requests sent right at the drop were already normal).`,
        'Only REST entity rows are driven (gRPC gateway Predict sheds through the same Gatekeeper, as UNAVAILABLE).',
      ],
    };
  },
};

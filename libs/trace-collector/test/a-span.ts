import type { TraceSpan } from '../src/trace-span';

export const TRACE_A = 'a'.repeat(32);
export const TRACE_B = 'b'.repeat(32);
/** 2026-01-02T03:04:05Z in nanoseconds. */
export const T0_NANOS = 1_767_323_045_000_000_000n;

/** A span of TRACE_A starting `startOffsetMs` after T0 and lasting `durationMs`; fields overridable. */
export function aSpan(overrides: Partial<TraceSpan> & { startOffsetMs?: number } = {}): TraceSpan {
  const { startOffsetMs = 0, durationMs = 1, ...rest } = overrides;
  const start = T0_NANOS + BigInt(Math.round(startOffsetMs * 1e6));
  const end = start + BigInt(Math.round(durationMs * 1e6));
  return {
    traceId: TRACE_A,
    spanId: '0000000000000001',
    name: 'span',
    kind: 'INTERNAL',
    serviceName: 'gateway',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    startTimeMs: Number(start / 1000n) / 1000,
    durationMs,
    status: { code: 'UNSET' },
    attributes: {},
    ...rest,
  };
}

/** What a materialize job works on (its JSON params). */
export interface MaterializeParams {
  readonly featureSet: { readonly name: string; readonly version: number };
  readonly featureSetId: string;
  /** Inclusive start of the event-time range. */
  readonly start: Date;
  /** Exclusive end of the event-time range. */
  readonly end: Date;
  /** Only write tiles; leave the online table and materialized_until alone. */
  readonly offlineOnly: boolean;
}

/** Where a resumed materialize job continues: tiles before `doneUntil` are written. */
export interface MaterializeCheckpoint {
  readonly doneUntil: string;
}

/** Events one slice (one transaction) aims at. */
export const EVENTS_PER_SLICE = 250_000;

/** The job params as stored (JSON). */
export function materializeParamsJson(params: MaterializeParams): Record<string, unknown> {
  return {
    featureSet: { name: params.featureSet.name, version: params.featureSet.version },
    featureSetId: params.featureSetId,
    start: params.start.toISOString(),
    end: params.end.toISOString(),
    offlineOnly: params.offlineOnly,
  };
}

/** Reads stored job params; throws (failing the job) when they are not a materialize job's. */
export function materializeParamsOf(json: Readonly<Record<string, unknown>>): MaterializeParams {
  const featureSet = json['featureSet'] as { name?: unknown; version?: unknown } | undefined;
  const start = new Date(String(json['start']));
  const end = new Date(String(json['end']));
  if (typeof featureSet?.name !== 'string' || typeof featureSet.version !== 'number' || typeof json['featureSetId'] !== 'string' || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new Error(`not materialize job params: ${JSON.stringify(json)}`);
  }
  return { featureSet: { name: featureSet.name, version: featureSet.version }, featureSetId: json['featureSetId'], start, end, offlineOnly: json['offlineOnly'] === true };
}

/** The resume point of a checkpoint, clamped into [start, end]; `start` on a first run. */
export function resumePointOf(checkpoint: unknown, start: Date, end: Date): Date {
  const doneUntil = (checkpoint as Partial<MaterializeCheckpoint> | null | undefined)?.doneUntil;
  const at = typeof doneUntil === 'string' ? new Date(doneUntil) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) return start;
  return new Date(Math.min(Math.max(at.getTime(), start.getTime()), end.getTime()));
}

/**
 * Splits [from, end) into consecutive slices of equal width holding about `eventsPerSlice`
 * events each (assuming an even spread; `eventCount` events in the whole range). Every slice
 * is at least one second wide; no events means one slice.
 */
export function slicesOf(from: Date, end: Date, eventCount: number, eventsPerSlice = EVENTS_PER_SLICE): { start: Date; end: Date }[] {
  const span = end.getTime() - from.getTime();
  if (span <= 0) return [];
  const count = Math.max(1, Math.min(Math.ceil(eventCount / eventsPerSlice), Math.ceil(span / 1000)));
  const width = Math.ceil(span / count);
  const slices: { start: Date; end: Date }[] = [];
  for (let at = from.getTime(); at < end.getTime(); at += width) slices.push({ start: new Date(at), end: new Date(Math.min(at + width, end.getTime())) });
  return slices;
}

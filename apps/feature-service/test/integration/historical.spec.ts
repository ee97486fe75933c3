import { status } from '@grpc/grpc-js';
import type { featuresV1 } from '@strata/contracts';
import { failureOf } from '@strata/testing';
import { randomUUID } from 'node:crypto';
import { seededRandom } from '@strata/testing';
import { aDepartureLog, aDepartureSource, type Departure, ingestMessagesOf, MINUTE, plainOf, T0, timestampOf } from '../fixtures/departures';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';

const HOUR_S = 3600;
const MAX_DATASET_ROWS = 1000;

/** `delays` v1: LAST, MAX and COUNT over the last hour, AVG over all history; no TTL. */
function delaysFeatureSet(source: string, name = 'delays') {
  return {
    name,
    version: 1,
    entity: { name: 'airport', keyFields: [] },
    source: { name: source, version: 0 },
    features: [
      { name: 'last_delay', type: 'VALUE_TYPE_DOUBLE', aggregation: 'AGGREGATION_LAST', field: 'delay' },
      { name: 'max_delay_1h', type: 'VALUE_TYPE_DOUBLE', aggregation: 'AGGREGATION_MAX', field: 'delay', window: { seconds: String(HOUR_S) } },
      { name: 'departures_1h', type: 'VALUE_TYPE_INT64', aggregation: 'AGGREGATION_COUNT', window: { seconds: String(HOUR_S) } },
      { name: 'avg_delay', type: 'VALUE_TYPE_DOUBLE', aggregation: 'AGGREGATION_AVG', field: 'delay' },
    ],
  } as const;
}

/** `recent` v1: the last delay with a 30-minute TTL, with and without a default. */
function recentFeatureSet(source: string) {
  return {
    name: 'recent',
    version: 1,
    entity: { name: 'airport', keyFields: [] },
    source: { name: source, version: 0 },
    ttl: { seconds: '1800' },
    features: [
      { name: 'last_delay', type: 'VALUE_TYPE_DOUBLE', aggregation: 'AGGREGATION_LAST', field: 'delay' },
      { name: 'last_delay_or_zero', type: 'VALUE_TYPE_DOUBLE', aggregation: 'AGGREGATION_LAST', field: 'delay', defaultValue: { doubleValue: 0 } },
    ],
  } as const;
}

/** The delays features computed in plain JS from the event log: only events at or before `at`. */
function expectedDelays(log: readonly Departure[], origin: string, at: Date) {
  const prior = log.filter((event) => event.origin === origin && event.at.getTime() <= at.getTime());
  if (prior.length === 0) return [null, null, null, null];
  const inWindow = prior.filter((event) => event.at.getTime() > at.getTime() - HOUR_S * 1000);
  return [
    prior[prior.length - 1]!.delay,
    inWindow.length === 0 ? null : Math.max(...inWindow.map((event) => event.delay)),
    inWindow.length,
    prior.reduce((sum, event) => sum + event.delay, 0) / prior.length,
  ];
}

/** Entity rows over the log's span and beyond, plus rows exactly at event times and an airport never seen. */
function entityRowsFor(log: readonly Departure[], seed: number, count: number) {
  const random = seededRandom(seed);
  const rows: { entityId: string; at: Date }[] = [];
  for (let index = 0; index < count; index++) {
    rows.push({ entityId: ['SFO', 'LAX', 'JFK'][Math.floor(random() * 3)]!, at: new Date(T0 + Math.floor(random() * 450 - 30) * MINUTE + Math.floor(random() * 60) * 1000) });
  }
  for (const event of log.filter((_, index) => index % 9 === 4)) rows.push({ entityId: event.origin, at: event.at });
  rows.push({ entityId: 'ORD', at: new Date(T0 + 100 * MINUTE) });
  return rows;
}

function inlineRequest(featureSets: { name: string; version: number }[], rows: readonly { entityId: string; at: Date; extra?: Record<string, object> }[], more: object = {}) {
  return { featureSets, rows: { rows: rows.map((row) => ({ entityId: row.entityId, timestamp: timestampOf(row.at), extra: row.extra ?? {} })) }, ...more };
}

async function readAll(feature: TestFeatureService, datasetId: string, batchSize = 0, startRow = 0) {
  const messages = await feature.client.readDataset({ datasetId, batchSize, startRow: String(startRow) });
  const [first, ...rest] = messages;
  return { snapshot: first?.snapshot, batches: rest.map((message) => message.batch!), rows: rest.flatMap((message) => message.batch!.rows.map((row) => row.values)) };
}

async function waitForClockPast(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, 2));
}

// GetHistoricalFeatures and ReadDataset over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each(ENGINES)('historical features on %s', (engine) => {
  let feature: TestFeatureService;
  const log = aDepartureLog(42, 80);

  beforeAll(async () => {
    feature = await startTestFeatureService(engine, { MAX_DATASET_ROWS: String(MAX_DATASET_ROWS) });
    await feature.client.call('applySource', { spec: aDepartureSource('departures') });
    await feature.client.call('applyFeatureSet', { spec: delaysFeatureSet('departures') as unknown as featuresV1.FeatureSetSpec });
    await feature.client.call('applyFeatureSet', { spec: recentFeatureSet('departures') as unknown as featuresV1.FeatureSetSpec });
    const ingested = await feature.client.ingest(ingestMessagesOf('departures', log));
    expect(ingested.accepted).toBe(String(log.length));
  });

  afterAll(async () => {
    await feature?.stop();
  });

  it('is point-in-time correct: each value uses only events at or before the row timestamp', async () => {
    const rows = entityRowsFor(log, 7, 40);
    const { dataset } = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'delays', version: 1 }], rows));

    expect(dataset).toMatchObject({ digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), rowCount: String(rows.length) });
    expect(dataset?.schema?.columns.map((column) => [column.name, column.type, column.role])).toEqual([
      ['entity_id', 'VALUE_TYPE_STRING', 'COLUMN_ROLE_ENTITY_ID'],
      ['timestamp', 'VALUE_TYPE_TIMESTAMP', 'COLUMN_ROLE_TIMESTAMP'],
      ['delays.last_delay', 'VALUE_TYPE_DOUBLE', 'COLUMN_ROLE_FEATURE'],
      ['delays.max_delay_1h', 'VALUE_TYPE_DOUBLE', 'COLUMN_ROLE_FEATURE'],
      ['delays.departures_1h', 'VALUE_TYPE_INT64', 'COLUMN_ROLE_FEATURE'],
      ['delays.avg_delay', 'VALUE_TYPE_DOUBLE', 'COLUMN_ROLE_FEATURE'],
    ]);
    const { featureSet } = await feature.client.call('getFeatureSet', { featureSet: { name: 'delays', version: 1 } });
    expect(dataset?.featureContracts).toEqual([{ featureSet: { name: 'delays', version: 1 }, digest: featureSet?.contractDigest }]);
    const times = rows.map((row) => row.at.getTime());
    expect(dataset?.timeRange?.start).toEqual(timestampOf(Math.min(...times)));
    const latest = timestampOf(Math.max(...times));
    expect(dataset?.timeRange?.end).toEqual({ seconds: latest.seconds, nanos: latest.nanos + 1000 });

    const read = await readAll(feature, dataset!.id);
    expect(read.rows).toHaveLength(rows.length);
    read.rows.forEach((values, index) => {
      const row = rows[index]!;
      const [entityId, timestamp, ...features] = values.map(plainOf);
      expect([entityId, timestamp]).toEqual([row.entityId, row.at]);
      const expected = expectedDelays(log, row.entityId, row.at);
      expect(features.slice(0, 3)).toEqual(expected.slice(0, 3));
      if (expected[3] === null) expect(features[3]).toBeNull();
      else expect(features[3]).toBeCloseTo(expected[3] as number, 9);
    });
    // Rows before an airport's first event, and the airport never seen, are MISSING (never a silent zero).
    expect(read.rows[read.rows.length - 1]!.slice(2).map((value) => value.nullReason)).toEqual(['NULL_REASON_MISSING', 'NULL_REASON_MISSING', 'NULL_REASON_MISSING', 'NULL_REASON_MISSING']);
  });

  it('returns the same snapshot (same ID and digest) for the same request', async () => {
    const rows = entityRowsFor(log, 7, 40);
    const first = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'delays', version: 1 }], rows));
    const again = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'delays', version: 1 }], rows));
    const otherRows = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'delays', version: 1 }], rows.slice(1)));

    expect(again.dataset).toEqual(first.dataset);
    expect(otherRows.dataset?.digest).not.toBe(first.dataset?.digest);
  });

  it('applies the TTL: a value older than the TTL becomes the default, or null MISSING', async () => {
    const rows = entityRowsFor(log, 11, 30);
    const { dataset } = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'recent', version: 1 }], rows));
    const read = await readAll(feature, dataset!.id);

    let stale = 0;
    read.rows.forEach((values, index) => {
      const row = rows[index]!;
      const prior = log.filter((event) => event.origin === row.entityId && event.at.getTime() <= row.at.getTime());
      const last = prior[prior.length - 1];
      const fresh = last !== undefined && last.at.getTime() >= row.at.getTime() - 1800 * 1000;
      if (last !== undefined && !fresh) stale++;
      expect(values.slice(2).map(plainOf)).toEqual(fresh ? [last.delay, last.delay] : [null, 0]);
      if (!fresh) expect(values[2]!.nullReason).toBe('NULL_REASON_MISSING');
    });
    expect(stale).toBeGreaterThan(0);
  });

  it('builds rows from an entity query: one per matching event in event order, with a label column', async () => {
    const start = T0 + 60 * MINUTE;
    const end = T0 + 240 * MINUTE;
    const request = {
      featureSets: [{ name: 'delays', version: 1 }],
      query: { source: 'departures', timeRange: { start: timestampOf(start), end: timestampOf(end) }, extraFields: ['delay'], filter: 'distance > 500' },
      features: ['delays.last_delay', 'delays.departures_1h'],
    };
    const { dataset } = await feature.client.call('getHistoricalFeatures', request);
    const read = await readAll(feature, dataset!.id, 5);

    const expected = log.filter((event) => event.at.getTime() >= start && event.at.getTime() < end && event.distance > 500);
    expect(expected.length).toBeGreaterThan(5);
    expect(dataset?.schema?.columns.map((column) => [column.name, column.role])).toEqual([
      ['entity_id', 'COLUMN_ROLE_ENTITY_ID'],
      ['timestamp', 'COLUMN_ROLE_TIMESTAMP'],
      ['delay', 'COLUMN_ROLE_EXTRA'],
      ['delays.last_delay', 'COLUMN_ROLE_FEATURE'],
      ['delays.departures_1h', 'COLUMN_ROLE_FEATURE'],
    ]);
    expect(dataset?.schema?.columns[2]?.type).toBe('VALUE_TYPE_DOUBLE');
    // Each row is 1 ms before its event: its features come from earlier events only, so the
    // event's own delay (the label) is not its last_delay.
    expect(read.rows.map((values) => values.map(plainOf))).toEqual(
      expected.map((event) => {
        const before = new Date(event.at.getTime() - 1);
        const [lastDelay, , departures1h] = expectedDelays(log, event.origin, before);
        return [event.origin, before, event.delay, lastDelay, departures1h];
      }),
    );
    // The label a trainer derives from the extra column.
    expect(read.rows.filter((values) => (plainOf(values[2]) as number) > 15).length).toBe(expected.filter((event) => event.delay > 15).length);
  });

  it('honours known_at: events ingested later (late arrivals) do not change a training set built as known at a time', async () => {
    const source = 'late_departures';
    await feature.client.call('applySource', { spec: aDepartureSource(source) });
    await feature.client.call('applyFeatureSet', { spec: delaysFeatureSet(source, 'late_delays') as unknown as featuresV1.FeatureSetSpec });
    const all = aDepartureLog(99, 60);
    const onTime = all.filter((_, index) => index % 3 !== 0);
    const late = all.filter((_, index) => index % 3 === 0);
    await feature.client.ingest(ingestMessagesOf(source, onTime));
    const rows = entityRowsFor(all, 5, 30);
    const queryRequest = { featureSets: [{ name: 'late_delays', version: 1 }], query: { source, timeRange: { start: timestampOf(T0), end: timestampOf(T0 + 400 * MINUTE) }, extraFields: ['delay'] } };
    const before = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'late_delays', version: 1 }], rows));
    const queryBefore = await feature.client.call('getHistoricalFeatures', queryRequest);

    // Ingestion timestamps are microseconds, the cutoff milliseconds: step the clock past both edges.
    await waitForClockPast(Date.now() + 1);
    const knownAt = Date.now();
    await waitForClockPast(knownAt + 1);
    await feature.client.ingest(ingestMessagesOf(source, late));

    const asKnown = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'late_delays', version: 1 }], rows, { knownAt: timestampOf(knownAt) }));
    const queryAsKnown = await feature.client.call('getHistoricalFeatures', { ...queryRequest, knownAt: timestampOf(knownAt) });
    const now = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'late_delays', version: 1 }], rows));
    const queryNow = await feature.client.call('getHistoricalFeatures', queryRequest);

    expect(asKnown.dataset).toEqual(before.dataset);
    expect(queryAsKnown.dataset).toEqual(queryBefore.dataset);
    expect(now.dataset?.digest).not.toBe(before.dataset?.digest);
    expect(queryNow.dataset?.rowCount).toBe(String(all.filter((event) => event.at.getTime() < T0 + 400 * MINUTE).length));
    const read = await readAll(feature, now.dataset!.id);
    read.rows.forEach((values, index) => expect(values.slice(2, 5).map(plainOf)).toEqual(expectedDelays(all, rows[index]!.entityId, rows[index]!.at).slice(0, 3)));
  });

  it('carries inline extra columns through, typed by their values, in name order', async () => {
    const rows: { entityId: string; at: Date; extra: Record<string, object> }[] = [
      { entityId: 'SFO', at: new Date(T0 + 90 * MINUTE), extra: { label: { boolValue: true }, weight: { doubleValue: 0.5 } } },
      { entityId: 'LAX', at: new Date(T0 + 95 * MINUTE), extra: { weight: { doubleValue: 2 } } },
      { entityId: 'JFK', at: new Date(T0 + 99 * MINUTE), extra: { label: { nullReason: 'NULL_REASON_EXPLICIT' }, weight: { doubleValue: 1 } } },
    ];
    const { dataset } = await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'delays', version: 1 }], rows, { features: ['delays.avg_delay'] }));
    const read = await readAll(feature, dataset!.id);

    expect(dataset?.schema?.columns.map((column) => [column.name, column.type, column.role])).toEqual([
      ['entity_id', 'VALUE_TYPE_STRING', 'COLUMN_ROLE_ENTITY_ID'],
      ['timestamp', 'VALUE_TYPE_TIMESTAMP', 'COLUMN_ROLE_TIMESTAMP'],
      ['label', 'VALUE_TYPE_BOOL', 'COLUMN_ROLE_EXTRA'],
      ['weight', 'VALUE_TYPE_DOUBLE', 'COLUMN_ROLE_EXTRA'],
      ['delays.avg_delay', 'VALUE_TYPE_DOUBLE', 'COLUMN_ROLE_FEATURE'],
    ]);
    expect(read.rows.map((values) => values.slice(2, 4))).toEqual([
      [{ boolValue: true, kind: 'boolValue' }, { doubleValue: 0.5, kind: 'doubleValue' }],
      [{ nullReason: 'NULL_REASON_MISSING', kind: 'nullReason' }, { doubleValue: 2, kind: 'doubleValue' }],
      [{ nullReason: 'NULL_REASON_EXPLICIT', kind: 'nullReason' }, { doubleValue: 1, kind: 'doubleValue' }],
    ]);
  });

  describe('ReadDataset', () => {
    let dataset: featuresV1.DatasetSnapshot;
    const rows = entityRowsFor(log, 3, 30);

    beforeAll(async () => {
      dataset = (await feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'delays', version: 1 }], rows))).dataset!;
    });

    it('streams the snapshot, then batches of batch_size in row order', async () => {
      const read = await readAll(feature, dataset.id, 7);
      const whole = await readAll(feature, dataset.id);

      expect(read.snapshot).toEqual(dataset);
      expect(read.batches.map((batch) => [batch.startRow, batch.rows.length])).toEqual([0, 7, 14, 21, 28, 35].filter((start) => start < rows.length).map((start) => [String(start), Math.min(7, rows.length - start)]));
      expect(whole.batches).toHaveLength(1);
      expect(read.rows).toEqual(whole.rows);
      expect(read.rows.map((values) => plainOf(values[0]))).toEqual(rows.map((row) => row.entityId));
    });

    it('resumes from start_row, and sends only the snapshot at start_row = row_count', async () => {
      const whole = await readAll(feature, dataset.id);
      const resumed = await readAll(feature, dataset.id, 4, 30);
      const atEnd = await readAll(feature, dataset.id, 0, rows.length);

      expect(resumed.batches[0]?.startRow).toBe('30');
      expect(resumed.rows).toEqual(whole.rows.slice(30));
      expect(atEnd.snapshot).toEqual(dataset);
      expect(atEnd.rows).toEqual([]);
    });

    it('fails with OUT_OF_RANGE past the end and NOT_FOUND for an unknown dataset', async () => {
      expect((await failureOf(feature.client.readDataset({ datasetId: dataset.id, startRow: String(rows.length + 1) }))).code).toBe(status.OUT_OF_RANGE);
      expect((await failureOf(feature.client.readDataset({ datasetId: randomUUID() }))).code).toBe(status.NOT_FOUND);
      expect((await failureOf(feature.client.readDataset({ datasetId: 'not-a-dataset' }))).code).toBe(status.NOT_FOUND);
    });
  });

  describe('request errors', () => {
    const row = { entityId: 'SFO', at: new Date(T0 + 60 * MINUTE) };
    const delays = [{ name: 'delays', version: 1 }];
    const query = (overrides: object) => ({ featureSets: delays, query: { source: 'departures', timeRange: { start: timestampOf(T0), end: timestampOf(T0 + MINUTE * 60) }, extraFields: [], filter: '', ...overrides } });

    it.each([
      ['no feature sets', inlineRequest([], [row]), 'feature_sets'],
      ['version 0', inlineRequest([{ name: 'delays', version: 0 }], [row]), 'feature_sets[0].version'],
      ['no entity rows', inlineRequest(delays, []), 'rows.rows'],
      ['neither rows nor query', { featureSets: delays }, 'rows'],
      ['an unknown feature', inlineRequest(delays, [row], { features: ['delays.nope'] }), 'features[0]'],
      ['a feature of a set not listed', inlineRequest(delays, [row], { features: ['recent.last_delay'] }), 'features[0]'],
      ['an extra column named timestamp', inlineRequest(delays, [{ ...row, extra: { timestamp: { doubleValue: 1 } } }]), 'rows.rows[0].extra["timestamp"]'],
      ['an extra column named like a feature column', inlineRequest(delays, [{ ...row, extra: { 'delays.avg_delay': { doubleValue: 1 } } }]), 'rows.rows[0].extra["delays.avg_delay"]'],
      ['extra values of two types', inlineRequest(delays, [{ ...row, extra: { y: { doubleValue: 1 } } }, { ...row, extra: { y: { stringValue: 'a' } } }]), 'rows.rows[1].extra["y"]'],
      ['a query without an end', query({ timeRange: { start: timestampOf(T0) } }), 'query.time_range.end'],
      ['a query with an unknown extra field', query({ extraFields: ['gate'] }), 'query.extra_fields[0]'],
      ['a query with a bad filter', query({ filter: 'delay >' }), 'query.filter'],
      ['a query filter on an unknown field', query({ filter: 'gate == "A1"' }), 'query.filter'],
    ])('rejects %s with INVALID_ARGUMENT naming the field', async (_case, request, field) => {
      const failure = await failureOf(feature.client.call('getHistoricalFeatures', request));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations.map((violation) => violation.field)).toContain(field);
    });

    it('refuses inline rows whose entity ID no event can have (instead of 0 and null), naming the row and the field', async () => {
      const byRoute = { ...delaysFeatureSet('departures', 'route_delays'), entity: { name: 'route', keyFields: ['origin', 'distance'] } };
      await feature.client.call('applyFeatureSet', { spec: byRoute as unknown as featuresV1.FeatureSetSpec });
      const at = new Date(T0 + 60 * MINUTE);

      const failure = await failureOf(
        feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'route_delays', version: 1 }], [{ entityId: 'SFO|100', at }, { entityId: 'SFO', at }, { entityId: 'SFO|1e2', at }, { entityId: 'SFO|0100', at }])),
      );

      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([
        { field: 'rows.rows[1].entity_id', description: '"SFO" does not match the entity key of feature set "route_delays": 1 part where the key (origin, distance) has 2; join the values with "|", e.g. "<origin>|<distance>"' },
        { field: 'rows.rows[2].entity_id', description: '"SFO|1e2" does not match the entity key of feature set "route_delays": key field distance="1e2" is not an integer (INT64), so no event has this key' },
        { field: 'rows.rows[3].entity_id', description: '"SFO|0100" does not match the entity key of feature set "route_delays": key field distance is written "100" in entity keys, not "0100"' },
      ]);
      expect(failure.details).toMatch(/^invalid GetHistoricalFeatures request: rows\.rows\[1\]\.entity_id "SFO" does not match/);
    });

    it('rejects more than 100000 inline rows with INVALID_ARGUMENT', async () => {
      const many = Array.from({ length: 100_001 }, (_, index) => ({ entityId: 'SFO', at: new Date(T0 + index) }));
      const failure = await failureOf(feature.client.call('getHistoricalFeatures', inlineRequest(delays, many)));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations[0]?.description).toMatch(/100000/);
    });

    it('fails with NOT_FOUND for a feature set version or query source never applied', async () => {
      expect((await failureOf(feature.client.call('getHistoricalFeatures', inlineRequest([{ name: 'delays', version: 9 }], [row])))).code).toBe(status.NOT_FOUND);
      expect((await failureOf(feature.client.call('getHistoricalFeatures', query({ source: 'nowhere' })))).code).toBe(status.NOT_FOUND);
    });

    it('fails with RESOURCE_EXHAUSTED when the result exceeds MAX_DATASET_ROWS', async () => {
      const tooMany = Array.from({ length: MAX_DATASET_ROWS + 1 }, (_, index) => ({ entityId: 'SFO', at: new Date(T0 + index * 1000) }));
      expect((await failureOf(feature.client.call('getHistoricalFeatures', inlineRequest(delays, tooMany)))).code).toBe(status.RESOURCE_EXHAUSTED);
    });
  });
});

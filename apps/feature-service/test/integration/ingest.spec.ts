import { status } from '@grpc/grpc-js';
import { failureOf } from '@strata/testing';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';

const BASE_SECONDS = 978_307_200; // 2001-01-01T00:00:00Z

/** A `trips` source: key rider, time ts, a bounded amount, an enum city and a short note. */
const tripsSource = {
  name: 'trips',
  entityKeyFields: ['rider'],
  eventTimeField: 'ts',
  fields: [
    { name: 'rider', type: 'VALUE_TYPE_STRING', nullable: false },
    { name: 'ts', type: 'VALUE_TYPE_TIMESTAMP', nullable: false },
    { name: 'amount', type: 'VALUE_TYPE_DOUBLE', nullable: false, min: 0, max: 500 },
    { name: 'city', type: 'VALUE_TYPE_STRING', nullable: true, allowedValues: ['paris', 'lyon'] },
    { name: 'note', type: 'VALUE_TYPE_STRING', nullable: true, maxLength: 5 },
  ],
};

type Fields = Record<string, Record<string, unknown>>;

const aTrip = (overrides: Fields = {}, index = 0): Fields => ({
  rider: { stringValue: `r${index % 3}` },
  ts: { timestampValue: { seconds: String(BASE_SECONDS + index * 60), nanos: 0 } },
  amount: { doubleValue: 10 + index },
  city: { stringValue: 'paris' },
  ...overrides,
});

describe.each(ENGINES)('IngestEvents on %s', (engine) => {
  let feature: TestFeatureService;

  beforeAll(async () => {
    feature = await startTestFeatureService(engine);
    await feature.client.call('applySource', { spec: tripsSource as never });
  }, 180_000);

  afterAll(async () => {
    await feature?.stop();
  });

  it('accepts valid rows and quarantines each kind of invalid row with its reason and raw values', async () => {
    const rows = [
      { fields: aTrip({}, 0) },
      { fields: aTrip({ amount: { doubleValue: -5 } }, 1), eventId: 'neg' },
      { fields: aTrip({ city: { stringValue: 'nice' } }, 2) },
      { fields: aTrip({ note: { stringValue: 'far too long' } }, 3) },
      { fields: aTrip({ amount: { stringValue: 'ten' } }, 4) },
      { fields: aTrip({ rider: { nullReason: 'NULL_REASON_EXPLICIT' } }, 5) },
      { fields: aTrip({ extra: { boolValue: true } }, 6) },
      { fields: aTrip({ city: { nullReason: 'NULL_REASON_EXPLICIT' } }, 7) },
    ];
    const summary = await feature.client.ingest([{ source: 'trips', rows: rows as never }]);
    expect(summary).toMatchObject({ source: 'trips', sourceVersion: 1, accepted: '2', rejected: '6', duplicates: '0' });
    expect(summary.rejectionSamples.map((sample) => [sample.rowIndex, sample.reason, sample.field])).toEqual([
      ['1', 'REJECTION_REASON_OUT_OF_RANGE', 'amount'],
      ['2', 'REJECTION_REASON_NOT_ALLOWED_VALUE', 'city'],
      ['3', 'REJECTION_REASON_TOO_LONG', 'note'],
      ['4', 'REJECTION_REASON_TYPE_MISMATCH', 'amount'],
      ['5', 'REJECTION_REASON_MISSING_FIELD', 'rider'],
      ['6', 'REJECTION_REASON_UNKNOWN_FIELD', 'extra'],
    ]);
    expect(summary.rejectionSamples[0]).toMatchObject({ eventId: 'neg', message: 'amount=-5 is below min 0' });

    const { rows: quarantined } = await feature.client.call('listQuarantine', { source: 'trips', reason: 'REJECTION_REASON_OUT_OF_RANGE' as never });
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toMatchObject({
      source: 'trips',
      sourceVersion: 1,
      rejection: { rowIndex: '1', eventId: 'neg', reason: 'REJECTION_REASON_OUT_OF_RANGE', field: 'amount' },
      fields: { rider: { stringValue: 'r1' }, amount: { doubleValue: -5 }, city: { stringValue: 'paris' }, ts: { timestampValue: { seconds: String(BASE_SECONDS + 60), nanos: 0 } } },
    });
    expect((await feature.client.call('listQuarantine', { source: 'trips' })).rows).toHaveLength(6);

    const events = await feature.prisma.event.findMany({ where: { source: 'trips' }, orderBy: { eventTime: 'asc' } });
    expect(events.map((event) => [event.entityKey, event.eventTime.toISOString(), event.payload])).toEqual([
      ['r0', '2001-01-01T00:00:00.000Z', { rider: 'r0', ts: '2001-01-01T00:00:00.000Z', amount: 10, city: 'paris', note: null }],
      ['r1', '2001-01-01T00:07:00.000Z', { rider: 'r1', ts: '2001-01-01T00:07:00.000Z', amount: 17, city: null, note: null }],
    ]);
  });

  it('skips rows whose event_id was already accepted and counts them as duplicates', async () => {
    const rows = [0, 1, 2].map((index) => ({ fields: aTrip({}, 100 + index), eventId: `dup-${index}` }));
    expect(await feature.client.ingest([{ source: 'trips', rows: rows as never }])).toMatchObject({ accepted: '3', duplicates: '0' });
    const again = await feature.client.ingest([{ source: 'trips', rows: rows.slice(0, 2) as never }, { rows: [{ fields: aTrip({}, 200), eventId: 'dup-new' }, rows[2]] as never }]);
    expect(again).toMatchObject({ accepted: '1', rejected: '0', duplicates: '3' });
    expect(await feature.prisma.event.count({ where: { source: 'trips', eventId: { startsWith: 'dup-' } } })).toBe(4);
  });

  it('answers INVALID_ARGUMENT for a missing or changed source name and NOT_FOUND for an unknown source', async () => {
    const noSource = await failureOf(feature.client.ingest([{ rows: [{ fields: aTrip() }] as never }]));
    expect(noSource.code).toBe(status.INVALID_ARGUMENT);
    expect(noSource.fieldViolations.map((violation) => violation.field)).toEqual(['source']);

    const before = await feature.prisma.event.count({ where: { source: 'trips' } });
    const switched = await failureOf(feature.client.ingest([{ source: 'trips', rows: [{ fields: aTrip({}, 300) }] as never }, { source: 'other', rows: [{ fields: aTrip({}, 301) }] as never }]));
    expect(switched.code).toBe(status.INVALID_ARGUMENT);
    expect(await feature.prisma.event.count({ where: { source: 'trips' } })).toBe(before + 1); // rows before the error stay

    const unknown = await failureOf(feature.client.ingest([{ source: 'nope', rows: [] }]));
    expect(unknown.code).toBe(status.NOT_FOUND);
  });

  it('answers RESOURCE_EXHAUSTED for a message with more than 10000 rows', async () => {
    const rows = Array.from({ length: 10_001 }, (_, index) => ({ fields: { rider: { stringValue: 'x' }, ts: { timestampValue: { seconds: String(BASE_SECONDS + index), nanos: 0 } }, amount: { doubleValue: 1 } } }));
    const failure = await failureOf(feature.client.ingest([{ source: 'trips', rows: rows as never }]));
    expect(failure.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(failure.details).toMatch(/10000/);
  });
});

import type { FieldSchema, Source } from '../source/source';
import { parseTimestampText, RowValidator } from './row-validator';

const aField = (overrides: Partial<FieldSchema> & Pick<FieldSchema, 'name' | 'type'>): FieldSchema => ({ nullable: false, allowedValues: [], description: '', ...overrides });

const flights: Source = {
  id: '00000000-0000-7000-8000-000000000001',
  version: 1,
  digest: 'sha256:x',
  createdAt: new Date(0),
  spec: {
    name: 'flights',
    entityKeyFields: ['origin', 'destination'],
    eventTimeField: 'date',
    description: '',
    owner: '',
    tags: {},
    fields: [
      aField({ name: 'date', type: 'TIMESTAMP' }),
      aField({ name: 'origin', type: 'STRING', maxLength: 3 }),
      aField({ name: 'destination', type: 'STRING', maxLength: 3 }),
      aField({ name: 'delay', type: 'INT64', min: -120, max: 2880 }),
      aField({ name: 'distance', type: 'DOUBLE', nullable: true, min: 1 }),
      aField({ name: 'carrier', type: 'STRING', nullable: true, allowedValues: ['AA', 'UA'] }),
      aField({ name: 'cancelled', type: 'BOOL', nullable: true }),
    ],
  },
};

const aRow = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({ date: '2001/01/01 00:47', origin: 'SFO', destination: 'LAX', delay: 12, ...overrides });

describe(RowValidator.name, () => {
  const validator = new RowValidator(flights);

  it('normalizes a file row: payload with every field, entity key joined with |, event time', () => {
    const result = validator.validateRecord(aRow({ distance: '337', cancelled: 'false' }));
    expect(result).toEqual({
      ok: true,
      event: {
        payload: { date: '2001-01-01T00:47:00.000Z', origin: 'SFO', destination: 'LAX', delay: 12, distance: 337, carrier: null, cancelled: false },
        entityKey: 'SFO|LAX',
        eventTime: new Date('2001-01-01T00:47:00.000Z'),
      },
    });
  });

  it('converts CSV strings, Parquet bigints and Dates, epoch milliseconds and RFC 3339', () => {
    const fromParquet = validator.validateRecord(aRow({ date: new Date('2001-02-03T04:05:06.789Z'), delay: 7n, distance: 100n }));
    expect(fromParquet.ok && fromParquet.event.payload).toMatchObject({ date: '2001-02-03T04:05:06.789Z', delay: 7, distance: 100 });
    const fromCsv = validator.validateRecord(aRow({ date: '978307200000', delay: '-3' }));
    expect(fromCsv.ok && fromCsv.event.payload).toMatchObject({ date: '2001-01-01T00:00:00.000Z', delay: -3 });
    const rfc = validator.validateRecord(aRow({ date: '2001-01-01T02:00:00+02:00' }));
    expect(rfc.ok && rfc.event.eventTime.toISOString()).toBe('2001-01-01T00:00:00.000Z');
  });

  it('gives each event its own time when consecutive rows repeat or change the instant', () => {
    const times = ['2001-01-01T00:47:00.000Z', '2001-01-01T00:47:00.000Z', '2001-01-01T00:48:00.000Z', '2001-01-01T00:47:00.000Z'];
    const events = times.map((time) => validator.validateRecord(aRow({ date: new Date(time) })));
    expect(events.map((result) => result.ok && result.event.eventTime.toISOString())).toEqual(times);
    expect(events.map((result) => result.ok && result.event.payload['date'])).toEqual(times);
    const [first, second] = events;
    expect(first?.ok && second?.ok && first.event.eventTime !== second.event.eventTime).toBe(true);
  });

  it('keeps INT64 bigints beyond 2^53 exact (as decimal text) and refuses them beyond 64 bits', () => {
    const wide = new RowValidator({ ...flights, spec: { ...flights.spec, fields: [...flights.spec.fields, aField({ name: 'seq', type: 'INT64', nullable: true })] } });
    const big = wide.validateRecord(aRow({ seq: 9007199254740993n }));
    expect(big.ok && big.event.payload['seq']).toBe('9007199254740993');
    const small = wide.validateRecord(aRow({ seq: -42n }));
    expect(small.ok && small.event.payload['seq']).toBe(-42);
    const tooBig = wide.validateRecord(aRow({ seq: 2n ** 64n }));
    expect(!tooBig.ok && tooBig.rejection.reason).toBe('TYPE_MISMATCH');
  });

  it.each([
    ['MISSING_FIELD', 'origin', { origin: undefined }, 'origin is missing (the field is not nullable)'],
    ['MISSING_FIELD', 'delay', { delay: '' }, 'delay is missing (the field is not nullable)'],
    ['TYPE_MISMATCH', 'delay', { delay: 1.5 }, 'delay=1.5 is not an integer (INT64)'],
    ['TYPE_MISMATCH', 'delay', { delay: 'soon' }, 'delay="soon" is not an integer (INT64)'],
    ['TYPE_MISMATCH', 'date', { date: 'yesterday' }, 'date="yesterday" is not a timestamp (RFC 3339, epoch milliseconds or YYYY/MM/DD HH:MM UTC)'],
    ['TYPE_MISMATCH', 'cancelled', { cancelled: 'maybe' }, 'cancelled="maybe" is not a boolean (BOOL: true or false)'],
    ['OUT_OF_RANGE', 'delay', { delay: -900 }, 'delay=-900 is below min -120'],
    ['OUT_OF_RANGE', 'distance', { distance: 0.5 }, 'distance=0.5 is below min 1'],
    ['NOT_ALLOWED_VALUE', 'carrier', { carrier: 'ZZ' }, 'carrier="ZZ" is not one of the allowed values (AA, UA)'],
    ['TOO_LONG', 'origin', { origin: 'SFOO' }, 'origin is 4 characters long, max 3'],
    ['UNKNOWN_FIELD', 'tail', { tail: 'N123' }, 'unknown field tail (source flights v1 does not declare it)'],
  ])('rejects with %s on %s', (reason, field, overrides, message) => {
    const result = validator.validateRecord(aRow(overrides));
    expect(result.ok).toBe(false);
    expect(!result.ok && { reason: result.rejection.reason, field: result.rejection.field, message: result.rejection.message }).toEqual({ reason, field, message });
  });

  it('validates wire values strictly by member', () => {
    const fields = {
      date: { timestampValue: { seconds: '978307200', nanos: 0 } },
      origin: { stringValue: 'SFO' },
      destination: { stringValue: 'LAX' },
      delay: { int64Value: '5' },
      distance: { nullReason: 'NULL_REASON_EXPLICIT' },
    };
    const ok = validator.validateWire(fields as never);
    expect(ok.ok && ok.event.payload).toMatchObject({ date: '2001-01-01T00:00:00.000Z', delay: 5, distance: null });
    const wrong = validator.validateWire({ ...fields, delay: { stringValue: '5' } } as never);
    expect(!wrong.ok && wrong.rejection.reason).toBe('TYPE_MISMATCH');
  });

  it('counts max_length in code points', () => {
    const emoji = validator.validateRecord(aRow({ origin: '😀😀😀' }));
    expect(emoji.ok).toBe(true);
  });
});

describe(parseTimestampText.name, () => {
  it('reads the flights form as UTC and refuses impossible dates', () => {
    expect(parseTimestampText('2001/01/13 14:05')).toBe(Date.UTC(2001, 0, 13, 14, 5));
    expect(parseTimestampText('2001/02/30 14:05')).toBeNaN();
    expect(parseTimestampText('2001-01-01T00:00:00.123456Z')).toBe(Date.UTC(2001, 0, 1) + 123);
  });

  it('refuses impossible RFC 3339 dates and times instead of rolling them over into the next day or month', () => {
    expect(parseTimestampText('2001-02-30T00:00:00Z')).toBeNaN();
    expect(parseTimestampText('2001-04-31 12:00:00+02:00')).toBeNaN();
    expect(parseTimestampText('2001-02-28T24:00:00Z')).toBeNaN();
    expect(parseTimestampText('2001/02/28 23:60')).toBeNaN();
    expect(parseTimestampText('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
  });
});

describe(`${RowValidator.name} with an impossible event time`, () => {
  it('rejects the row as TYPE_MISMATCH saying why the time is not real', () => {
    const result = new RowValidator(flights).validateRecord(aRow({ date: '2001-02-30T00:00:00Z' }));

    expect(result).toEqual({ ok: false, rejection: expect.objectContaining({ reason: 'TYPE_MISMATCH', field: 'date', message: 'date="2001-02-30T00:00:00Z" is not a real time (February 2001 has 28 days)' }) });
  });
});

import { status } from '@grpc/grpc-js';
import { failureOf } from '@strata/testing';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';

const FLIGHTS_SOURCE_FILE = path.resolve(__dirname, '../../../../examples/flights/flights.source.json');
const FLIGHTS_2K = path.join(path.dirname(require.resolve('vega-datasets')), '../data/flights-2k.json');

/** A small `rides` source every format imports into. */
const ridesSource = {
  name: 'rides',
  entityKeyFields: ['rider'],
  eventTimeField: 'ts',
  fields: [
    { name: 'rider', type: 'VALUE_TYPE_STRING', nullable: false },
    { name: 'ts', type: 'VALUE_TYPE_TIMESTAMP', nullable: false },
    { name: 'km', type: 'VALUE_TYPE_INT64', nullable: false, min: 0, max: 100 },
    { name: 'paid', type: 'VALUE_TYPE_BOOL', nullable: true },
  ],
};

describe.each(ENGINES)('ImportFile on %s', (engine) => {
  let feature: TestFeatureService;

  const importAndWait = async (request: Record<string, unknown>) => {
    const { job } = await feature.client.call('importFile', request as never);
    return feature.client.waitForJob(String(job?.id));
  };

  beforeAll(async () => {
    feature = await startTestFeatureService(engine);
    await feature.client.call('applySource', { spec: ridesSource as never });
    const flights = existsSync(FLIGHTS_SOURCE_FILE) ? (JSON.parse(readFileSync(FLIGHTS_SOURCE_FILE, 'utf8')) as Record<string, unknown>) : undefined;
    if (flights !== undefined) await feature.client.call('applySource', { spec: flights as never });
  }, 180_000);

  afterAll(async () => {
    await feature?.stop();
  });

  it('imports a CSV file, quarantining bad and unparsable records, and re-imports it idempotently', async () => {
    writeFileSync(
      path.join(feature.importRoot, 'rides.csv'),
      ['rider,ts,km,paid', 'a,2001-01-01T00:00:00Z,5,true', 'b,2001/01/01 01:30,7,', 'c,2001-01-01T02:00:00Z,500,false', 'd,2001-01-01T03:00:00Z,1,true,extra', ''].join('\n'),
    );
    const job = await importAndWait({ source: 'rides', path: 'rides.csv', format: 'FILE_FORMAT_CSV' });
    expect(job).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', importFile: { source: 'rides', path: 'rides.csv', format: 'FILE_FORMAT_CSV' }, counters: { rowsAccepted: '2' } });
    expect(job.counters).toMatchObject({ rowsRead: '4', rowsRejected: '2' });
    const events = await feature.prisma.event.findMany({ where: { source: 'rides' }, orderBy: { eventTime: 'asc' } });
    expect(events.map((event) => [event.entityKey, event.eventTime.toISOString(), event.payload])).toEqual([
      ['a', '2001-01-01T00:00:00.000Z', { rider: 'a', ts: '2001-01-01T00:00:00.000Z', km: 5, paid: true }],
      ['b', '2001-01-01T01:30:00.000Z', { rider: 'b', ts: '2001-01-01T01:30:00.000Z', km: 7, paid: null }],
    ]);
    expect(events[0]?.eventId).toMatch(/^[0-9a-f]{16}:0$/);
    const { rows } = await feature.client.call('listQuarantine', { source: 'rides', jobId: job.id });
    expect(rows.find((row) => row.rejection?.reason === 'REJECTION_REASON_PARSE_ERROR')).toMatchObject({ rejection: { rowIndex: '3' } });
    expect(rows.find((row) => row.rejection?.reason === 'REJECTION_REASON_OUT_OF_RANGE')).toMatchObject({ rejection: { rowIndex: '2', field: 'km', message: 'km=500 is above max 100' }, fields: { rider: { stringValue: 'c' }, km: { stringValue: '500' } } });

    const eventsBefore = await feature.prisma.event.count();
    const quarantinedBefore = await feature.prisma.quarantinedRow.count();
    const again = await importAndWait({ source: 'rides', path: path.join(feature.importRoot, 'rides.csv'), format: 'FILE_FORMAT_CSV' });
    expect(again.status).toBe('JOB_STATUS_SUCCEEDED');
    expect(await feature.prisma.event.count()).toBe(eventsBefore);
    expect(await feature.prisma.quarantinedRow.count()).toBe(quarantinedBefore);
  });

  it('imports JSON and NDJSON files, with a field mapping and PARSE_ERROR for unparsable lines', async () => {
    writeFileSync(path.join(feature.importRoot, 'rides.json'), JSON.stringify([{ who: 'j1', ts: 978307200000, km: 1 }, { who: 'j2', ts: '2001-01-02T00:00:00Z', km: 2, paid: false }, 42]));
    const json = await importAndWait({ source: 'rides', path: 'rides.json', format: 'FILE_FORMAT_JSON', fieldMapping: { who: 'rider' } });
    expect(json).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', counters: { rowsRead: '3', rowsAccepted: '2', rowsRejected: '1', rowsTotal: '3' } });

    writeFileSync(path.join(feature.importRoot, 'rides.ndjson'), ['{"rider":"n1","ts":"2001-01-03T00:00:00Z","km":3}', '{not json', '', '{"rider":"n2","ts":"2001-01-03T00:00:00Z","km":3.5}'].join('\n'));
    const ndjson = await importAndWait({ source: 'rides', path: 'rides.ndjson', format: 'FILE_FORMAT_NDJSON' });
    expect(ndjson).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', counters: { rowsRead: '3', rowsAccepted: '1', rowsRejected: '2' } });
    const { rows } = await feature.client.call('listQuarantine', { jobId: ndjson.id });
    expect(rows.map((row) => [row.rejection?.rowIndex, row.rejection?.reason]).sort()).toEqual([
      ['1', 'REJECTION_REASON_PARSE_ERROR'],
      ['2', 'REJECTION_REASON_TYPE_MISMATCH'],
    ]);
    expect(rows.find((row) => row.rejection?.reason === 'REJECTION_REASON_PARSE_ERROR')?.raw).toBe('{not json');
  });

  it('imports the real flights-2k.json into the flights source, and re-imports it without new events', async () => {
    const hasFlights = existsSync(FLIGHTS_SOURCE_FILE);
    if (!hasFlights) return;
    copyFileSync(FLIGHTS_2K, path.join(feature.importRoot, 'flights-2k.json'));
    const job = await importAndWait({ source: 'flights', path: 'flights-2k.json', format: 'FILE_FORMAT_JSON', idempotencyKey: 'flights-2k' });
    expect(job.status).toBe('JOB_STATUS_SUCCEEDED');
    expect(job.counters?.rowsRead).toBe('2000');
    expect(Number(job.counters?.rowsAccepted) + Number(job.counters?.rowsRejected)).toBe(2000);
    expect(await feature.prisma.event.count({ where: { source: 'flights' } })).toBe(Number(job.counters?.rowsAccepted));

    const sameKey = await feature.client.call('importFile', { source: 'flights', path: 'flights-2k.json', format: 'FILE_FORMAT_JSON' as never, idempotencyKey: 'flights-2k' });
    expect(sameKey.job?.id).toBe(job.id);
    const again = await importAndWait({ source: 'flights', path: 'flights-2k.json', format: 'FILE_FORMAT_JSON' });
    expect(again.id).not.toBe(job.id);
    expect(await feature.prisma.event.count({ where: { source: 'flights' } })).toBe(Number(job.counters?.rowsAccepted));
    expect(await feature.prisma.quarantinedRow.count({ where: { source: 'flights' } })).toBe(Number(job.counters?.rowsRejected));
  });

  it('answers INVALID_ARGUMENT for paths outside the root or no format, NOT_FOUND for a missing file or source', async () => {
    const escape = await failureOf(feature.client.call('importFile', { source: 'rides', path: '../../etc/passwd', format: 'FILE_FORMAT_CSV' as never }));
    expect(escape.code).toBe(status.INVALID_ARGUMENT);
    expect(escape.fieldViolations.map((violation) => violation.field)).toEqual(['path']);
    expect((await failureOf(feature.client.call('importFile', { source: 'rides', path: '/etc/passwd', format: 'FILE_FORMAT_CSV' as never }))).code).toBe(status.INVALID_ARGUMENT);
    const noFormat = await failureOf(feature.client.call('importFile', { source: 'rides', path: 'rides.csv' }));
    expect(noFormat.fieldViolations.map((violation) => violation.field)).toEqual(['format']);
    expect((await failureOf(feature.client.call('importFile', { source: 'rides', path: 'missing.csv', format: 'FILE_FORMAT_CSV' as never }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(feature.client.call('importFile', { source: 'nope', path: 'rides.csv', format: 'FILE_FORMAT_CSV' as never }))).code).toBe(status.NOT_FOUND);
  });

  it('resumes an import whose worker crashed from its checkpoint without duplicating events', async () => {
    const lines = Array.from({ length: 25_000 }, (_, index) => JSON.stringify({ rider: `p${index % 50}`, ts: 978_307_200_000 + index * 1000, km: index % 100 }));
    writeFileSync(path.join(feature.importRoot, 'big.ndjson'), lines.join('\n'));
    const first = await importAndWait({ source: 'rides', path: 'big.ndjson', format: 'FILE_FORMAT_NDJSON' });
    expect(first.counters).toMatchObject({ rowsRead: '25000', rowsAccepted: '25000' });
    const fileId = (await feature.prisma.event.findFirst({ where: { source: 'rides', eventId: { endsWith: ':24999' } } }))?.eventId.split(':')[0];
    // Pretend the worker died after the first batch: the events after it are gone, the job still holds its lease.
    await feature.prisma.event.deleteMany({ where: { source: 'rides', eventId: { startsWith: `${fileId}:` }, payload: { path: ['km'], gte: 0 } } });
    const firstBatch = lines.slice(0, 10_000).map((line, index) => ({ source: 'rides', sourceVersion: 1, entityKey: (JSON.parse(line) as { rider: string }).rider, eventTime: new Date(978_307_200_000 + index * 1000), eventId: `${fileId}:${index}`, payload: JSON.parse(line) as object }));
    await feature.prisma.event.createMany({ data: firstBatch });
    await feature.prisma.job.update({
      where: { id: first.id },
      data: {
        status: 'running',
        leaseOwner: 'dead-worker',
        leaseExpiresAt: new Date(Date.now() - 60_000),
        attempts: 1,
        finishedAt: null,
        checkpoint: { nextRecord: 10_000, fileId: String(fileId), duplicates: 0, rejectedByReason: {} },
        counters: { rowsRead: 10_000, rowsAccepted: 10_000, rowsRejected: 0, valuesWritten: 0, rowsTotal: 0 },
      },
    });
    const resumed = await feature.client.waitForJob(first.id);
    expect(resumed).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', counters: { rowsRead: '25000', rowsAccepted: '25000' } });
    expect(await feature.prisma.event.count({ where: { source: 'rides', eventId: { startsWith: `${fileId}:` } } })).toBe(25_000);
  });
});

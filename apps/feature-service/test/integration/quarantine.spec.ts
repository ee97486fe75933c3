import { status } from '@grpc/grpc-js';
import { failureOf } from '@strata/testing';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';

/** A `readings` source whose `level` bound is relaxed in version 2. */
const readingsSource = (max: number) => ({
  name: 'readings',
  entityKeyFields: ['sensor'],
  eventTimeField: 'at',
  fields: [
    { name: 'sensor', type: 'VALUE_TYPE_STRING', nullable: false },
    { name: 'at', type: 'VALUE_TYPE_TIMESTAMP', nullable: false },
    { name: 'level', type: 'VALUE_TYPE_DOUBLE', nullable: false, min: 0, max },
  ],
});

describe.each(ENGINES)('quarantine on %s', (engine) => {
  let feature: TestFeatureService;

  beforeAll(async () => {
    feature = await startTestFeatureService(engine);
    await feature.client.call('applySource', { spec: readingsSource(10) as never });
  }, 180_000);

  afterAll(async () => {
    await feature?.stop();
  });

  it('replays rows after the source was fixed: passing rows become events, failing rows stay with an updated reason', async () => {
    writeFileSync(
      path.join(feature.importRoot, 'readings.ndjson'),
      [
        { sensor: 's1', at: '2001-01-01T00:00:00Z', level: 5 },
        { sensor: 's1', at: '2001-01-01T01:00:00Z', level: 50 },
        { sensor: 's2', at: '2001-01-01T02:00:00Z', level: 500 },
        { sensor: 's3', at: '2001-01-01T03:00:00Z', level: 'high' },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    const { job: importJob } = await feature.client.call('importFile', { source: 'readings', path: 'readings.ndjson', format: 'FILE_FORMAT_NDJSON' as never });
    expect(await feature.client.waitForJob(String(importJob?.id))).toMatchObject({ counters: { rowsAccepted: '1', rowsRejected: '3' } });

    const listed = await feature.client.call('listQuarantine', { source: 'readings' });
    expect(listed.rows).toHaveLength(3);
    const newestFirst = listed.rows.map((row) => row.id);
    expect([...newestFirst].sort().reverse()).toEqual(newestFirst);
    const page1 = await feature.client.call('listQuarantine', { source: 'readings', page: { pageSize: 2 } });
    const page2 = await feature.client.call('listQuarantine', { source: 'readings', page: { pageSize: 2, pageToken: page1.page?.nextPageToken ?? '' } });
    expect([...page1.rows, ...page2.rows].map((row) => row.id)).toEqual(newestFirst);

    await feature.client.call('applySource', { spec: readingsSource(100) as never });
    const { job } = await feature.client.call('replayQuarantine', { source: 'readings', reason: 'REJECTION_REASON_OUT_OF_RANGE' as never });
    expect(job).toMatchObject({ kind: 'JOB_KIND_REPLAY', replay: { source: 'readings', selectedRows: '2' } });
    const done = await feature.client.waitForJob(String(job?.id));
    expect(done).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', counters: { rowsRead: '2', rowsAccepted: '1', rowsRejected: '1' } });

    const events = await feature.prisma.event.findMany({ where: { source: 'readings' }, orderBy: { eventTime: 'asc' } });
    expect(events.map((event) => [event.entityKey, (event.payload as { level: number }).level, event.sourceVersion])).toEqual([
      ['s1', 5, 1],
      ['s1', 50, 2],
    ]);
    const remaining = (await feature.client.call('listQuarantine', { source: 'readings' })).rows;
    expect(remaining.map((row) => [row.rejection?.reason, row.sourceVersion, row.replayAttempts]).sort()).toEqual([
      ['REJECTION_REASON_OUT_OF_RANGE', 2, 1],
      ['REJECTION_REASON_TYPE_MISMATCH', 1, 0],
    ]);
    expect(remaining.find((row) => row.rejection?.reason === 'REJECTION_REASON_OUT_OF_RANGE')?.rejection?.message).toBe('level=500 is above max 100');

    // Re-importing the same file does not bring back the replayed row or duplicate the others.
    const { job: again } = await feature.client.call('importFile', { source: 'readings', path: 'readings.ndjson', format: 'FILE_FORMAT_NDJSON' as never });
    await feature.client.waitForJob(String(again?.id));
    expect(await feature.prisma.event.count({ where: { source: 'readings' } })).toBe(2);
    expect(await feature.prisma.quarantinedRow.count({ where: { source: 'readings' } })).toBe(2);
  });

  it('replays selected row IDs, and answers INVALID_ARGUMENT for unknown IDs and NOT_FOUND for an unknown source', async () => {
    const [row] = (await feature.client.call('listQuarantine', { source: 'readings', reason: 'REJECTION_REASON_TYPE_MISMATCH' as never })).rows;
    const { job } = await feature.client.call('replayQuarantine', { source: 'readings', rowIds: [String(row?.id)] });
    expect(await feature.client.waitForJob(String(job?.id))).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED', counters: { rowsRead: '1', rowsRejected: '1' } });

    const unknown = await failureOf(feature.client.call('replayQuarantine', { source: 'readings', rowIds: [String(row?.id), '0196d5c2-0000-7000-8000-000000000000', 'bogus'] }));
    expect(unknown.code).toBe(status.INVALID_ARGUMENT);
    expect(unknown.fieldViolations.map((violation) => violation.field)).toEqual(['row_ids[1]', 'row_ids[2]']);
    expect((await failureOf(feature.client.call('replayQuarantine', { source: 'nope' }))).code).toBe(status.NOT_FOUND);
  });
});

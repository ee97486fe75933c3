import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFeatureSetRef, parseFileFormat, parseInstant, parseJobKind, parseJobStatus, parseRejectionReason, readSpecFile } from '../src/commands/feature-args';
import { importFileRequest, listJobsRequest, materializeRequest } from '../src/commands/feature-jobs';
import { listQuarantineRequest, replayQuarantineRequest } from '../src/commands/feature-quarantine';
import { listFeatureSetsRequest } from '../src/commands/feature-sources';
import { onlineFeaturesRequest } from '../src/commands/features';
import { UsageError } from '../src/errors';

// Command-line values of the feature-store commands -> request fields (no network).
describe('feature-store arguments', () => {
  it('parses feature set references, pinning a version where the command needs one', () => {
    expect(parseFeatureSetRef('airport_delay_stats:1', false)).toEqual({ name: 'airport_delay_stats', version: 1 });
    expect(parseFeatureSetRef('airport_delay_stats@2', false)).toEqual({ name: 'airport_delay_stats', version: 2 });
    expect(parseFeatureSetRef('airport_delay_stats', true)).toEqual({ name: 'airport_delay_stats', version: 0 });
    expect(parseFeatureSetRef('airport_delay_stats:latest', true)).toEqual({ name: 'airport_delay_stats', version: 0 });
    expect(() => parseFeatureSetRef('airport_delay_stats', false)).toThrow(/give the version, e.g. airport_delay_stats:1/);
    expect(() => parseFeatureSetRef('Airport:1', true)).toThrow(UsageError);
    expect(() => parseFeatureSetRef('a:0', true)).toThrow(/between 1 and/);
  });

  it('parses instants as UTC Timestamps and refuses anything that is not an ISO time', () => {
    expect(parseInstant('2001-01-04T00:00:00Z', '--as-of')).toEqual({ seconds: '978566400', nanos: 0 });
    expect(parseInstant('2001-01-04', '--as-of')).toEqual({ seconds: '978566400', nanos: 0 });
    expect(parseInstant('2001-01-04 00:00:01.5', '--as-of')).toEqual({ seconds: '978566401', nanos: 500_000_000 });
    expect(parseInstant('2001-01-04T02:00:00+02:00', '--as-of')).toEqual({ seconds: '978566400', nanos: 0 });
    expect(() => parseInstant('yesterday', '--start')).toThrow(/--start: expected an ISO time/);
    expect(() => parseInstant('978566400', '--start')).toThrow(UsageError);
  });

  it('takes the import format from --format or the file extension', () => {
    expect(parseFileFormat('flights-2k.json', undefined)).toBe('FILE_FORMAT_JSON');
    expect(parseFileFormat('a/b/flights.CSV', undefined)).toBe('FILE_FORMAT_CSV');
    expect(parseFileFormat('events.jsonl', undefined)).toBe('FILE_FORMAT_NDJSON');
    expect(parseFileFormat('flights-3m.parquet', undefined)).toBe('FILE_FORMAT_PARQUET');
    expect(parseFileFormat('dump.txt', 'ndjson')).toBe('FILE_FORMAT_NDJSON');
    expect(() => parseFileFormat('dump.txt', undefined)).toThrow(/give --format csv\|json\|ndjson\|parquet/);
    expect(() => parseFileFormat('dump.txt', 'xml')).toThrow(/--format: expected csv, json, ndjson or parquet/);
  });

  it('reads enum filters in short or full spelling', () => {
    expect(parseRejectionReason('out-of-range')).toBe('REJECTION_REASON_OUT_OF_RANGE');
    expect(parseRejectionReason('PARSE_ERROR')).toBe('REJECTION_REASON_PARSE_ERROR');
    expect(parseRejectionReason('REJECTION_REASON_TOO_LONG')).toBe('REJECTION_REASON_TOO_LONG');
    expect(parseRejectionReason(undefined)).toBe('REJECTION_REASON_UNSPECIFIED');
    expect(() => parseRejectionReason('bad')).toThrow(/--reason: expected one of missing-field, type-mismatch/);
    expect(parseJobKind('materialize')).toBe('JOB_KIND_MATERIALIZE');
    expect(parseJobStatus('failed')).toBe('JOB_STATUS_FAILED');
    expect(parseJobStatus(undefined)).toBe('JOB_STATUS_UNSPECIFIED');
    expect(() => parseJobKind('backfill')).toThrow(/--kind: expected one of import, materialize, replay/);
  });

  it('builds the requests of import, materialize, features get, jobs, quarantine and feature-sets list', () => {
    expect(importFileRequest('flights', 'flights-2k.json', { map: ['when=date'], key: 'k1' })).toEqual({
      source: 'flights',
      path: 'flights-2k.json',
      format: 'FILE_FORMAT_JSON',
      fieldMapping: { when: 'date' },
      idempotencyKey: 'k1',
    });
    expect(() => importFileRequest('flights', 'f.csv', { map: ['a=b', 'a=c'] })).toThrow(/--map: "a" given twice/);
    expect(materializeRequest('airport_delay_stats:1', { start: '2001-01-01', end: '2001-02-01', offlineOnly: true })).toEqual({
      featureSet: { name: 'airport_delay_stats', version: 1 },
      start: { seconds: '978307200', nanos: 0 },
      end: { seconds: '980985600', nanos: 0 },
      offlineOnly: true,
    });
    expect(materializeRequest('airport_delay_stats:1', {})).toMatchObject({ start: null, end: null, offlineOnly: false });
    expect(onlineFeaturesRequest('airport_delay_stats:1', ['LAX', 'SFO'], { feature: ['flights_7d'], asOf: '2001-01-04' })).toEqual({
      featureSet: { name: 'airport_delay_stats', version: 1 },
      entityIds: ['LAX', 'SFO'],
      asOf: { seconds: '978566400', nanos: 0 },
      maxStaleness: null,
      features: ['flights_7d'],
    });
    expect(listJobsRequest({ kind: 'import', status: 'running', source: 'flights' })).toEqual({ kind: 'JOB_KIND_IMPORT', status: 'JOB_STATUS_RUNNING', source: 'flights', featureSetName: '' });
    expect(listQuarantineRequest({ source: 'flights', reason: 'too-long' })).toEqual({ source: 'flights', reason: 'REJECTION_REASON_TOO_LONG', jobId: '' });
    expect(replayQuarantineRequest('flights', { row: ['q1', 'q2'] })).toEqual({ source: 'flights', rowIds: ['q1', 'q2'], reason: 'REJECTION_REASON_UNSPECIFIED' });
    expect(listFeatureSetsRequest({ owner: 'ml', latest: true })).toEqual({ name: '', owner: 'ml', latestOnly: true });
  });

  describe(readSpecFile.name, () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'strata-cli-specs-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it('accepts the spec object or a whole request, and names the file when it is neither', () => {
      expect(readSpecFile(write('a.json', '{"name": "flights", "fields": []}'), 'sources apply')).toEqual({ name: 'flights', fields: [] });
      expect(readSpecFile(write('b.json', '{"spec": {"name": "flights"}}'), 'sources apply')).toEqual({ name: 'flights' });
      expect(() => readSpecFile(write('c.json', '{"fields": []}'), 'sources apply')).toThrow(/c\.json has no "name"/);
      expect(() => readSpecFile(write('d.json', '[1]'), 'sources apply')).toThrow(/must hold a JSON object/);
      expect(() => readSpecFile(path.join(dir, 'missing.json'), 'sources apply')).toThrow(/cannot read .*missing\.json: ENOENT/);
    });
  });
});

import type { featuresV1 } from '@strata/contracts';
import { renderJson } from '../src/output/json';
import {
  featureJson,
  formatDuration,
  formatValue,
  renderFeatureStats,
  renderJobProgress,
  renderJobSummary,
  renderOnlineFeatures,
  renderQuarantineTable,
} from '../src/output/feature-views';

const T0 = { seconds: '978566400', nanos: 0 }; // 2001-01-04T00:00:00Z
const at = (seconds: number): { seconds: string; nanos: number } => ({ seconds: String(978566400 + seconds), nanos: 0 });

/** A Job as proto-loader delivers it. */
function aJob(overrides: Partial<featuresV1.Job> = {}): featuresV1.Job {
  return {
    id: 'job-1',
    kind: 'JOB_KIND_IMPORT' as featuresV1.JobKind,
    status: 'JOB_STATUS_SUCCEEDED' as featuresV1.JobStatus,
    importFile: { source: 'flights', path: 'flights-2k.json', format: 'FILE_FORMAT_JSON' as featuresV1.FileFormat },
    counters: { rowsRead: '2000', rowsAccepted: '1997', rowsRejected: '3', valuesWritten: '0', rowsTotal: '2000' },
    errorMessage: '',
    createdAt: T0,
    startedAt: T0,
    finishedAt: at(4),
    ...overrides,
  };
}

// Human and --json renderings of feature-store messages (no network).
describe('feature-store output', () => {
  it('prints every kind of Value readably, null with its reason', () => {
    expect(formatValue({ int64Value: '42', kind: 'int64Value' } as never)).toBe('42');
    expect(formatValue({ doubleValue: 3.25 })).toBe('3.25');
    expect(formatValue({ stringValue: 'LAX' })).toBe('"LAX"');
    expect(formatValue({ boolValue: false, kind: 'boolValue' } as never)).toBe('false');
    expect(formatValue({ timestampValue: T0 })).toBe('2001-01-04T00:00:00Z');
    expect(formatValue({ nullReason: 'NULL_REASON_EMPTY_WINDOW' as never })).toBe('null (empty window)');
    expect(formatValue({ nullReason: 'NULL_REASON_UNSPECIFIED' as never, kind: 'nullReason' } as never)).toBe('null');
    expect(formatValue(null)).toBe('-');
  });

  it('writes durations the way people say them', () => {
    expect(formatDuration({ seconds: '86400' })).toBe('1d');
    expect(formatDuration({ seconds: '604800', nanos: 0 })).toBe('7d');
    expect(formatDuration({ seconds: '5400', nanos: 0 })).toBe('1h 30m');
    expect(formatDuration({ seconds: '90', nanos: 0 })).toBe('1m 30s');
    expect(formatDuration({ seconds: '809822803', nanos: 897_000_000 })).toBe('9372d 22h');
    expect(formatDuration({ seconds: '1', nanos: 500_000_000 })).toBe('1.5s');
    expect(formatDuration(null)).toBe('');
  });

  it('maps messages to proto3 JSON: durations, timestamps, oneof markers and map keys', () => {
    const message = {
      spec: { features: [{ name: 'flights_1d', window: { seconds: '86400', nanos: 0 }, defaultValue: { int64Value: '0', kind: 'int64Value' } }], ttl: null, tags: { seconds: '1', nanos: '2' } },
      job: { id: 'j', params: 'importFile', importFile: { path: 'p' }, createdAt: T0, _min: 'min' },
      rows: [{ fields: { seconds: { int64Value: '5', kind: 'int64Value' } } }],
      stats: { freshnessLag: { seconds: '90', nanos: 0 }, latestEventTime: T0 },
    };
    const json = featureJson(message);
    expect(json).toEqual({
      spec: { features: [{ name: 'flights_1d', window: '86400s', defaultValue: { int64Value: '0' } }], ttl: null, tags: { seconds: '1', nanos: '2' } },
      job: { id: 'j', importFile: { path: 'p' }, createdAt: '2001-01-04T00:00:00.000Z' },
      rows: [{ fields: { seconds: { int64Value: '5' } } }],
      stats: { freshnessLag: '90s', latestEventTime: '2001-01-04T00:00:00.000Z' },
    });
    // The registry JSON writer leaves the already mapped document as it is.
    expect(JSON.parse(renderJson(json))).toEqual(json);
  });

  it('renders served features as a table with the contract line', () => {
    const response: featuresV1.GetOnlineFeaturesResponse = {
      contract: { featureSet: { name: 'airport_delay_stats', version: 1 }, digest: `sha256:${'a'.repeat(64)}` },
      entities: [
        {
          entityId: 'LAX',
          features: [
            { name: 'flights_1d', value: { int64Value: '12' }, status: 'FEATURE_STATUS_PRESENT' as never, eventTime: at(-60) },
            { name: 'avg_delay_1d', value: { nullReason: 'NULL_REASON_MISSING' as never }, status: 'FEATURE_STATUS_MISSING' as never, eventTime: null },
          ],
        },
        { entityId: 'XXX', features: [{ name: 'flights_1d', value: { int64Value: '0' }, status: 'FEATURE_STATUS_DEFAULTED' as never, eventTime: null }] },
      ],
      asOf: T0,
      valuesAsOf: T0,
    };
    expect(renderOnlineFeatures(response)).toBe(
      [
        'ENTITY  FEATURE       VALUE           STATUS     EVENT TIME',
        'LAX     flights_1d    12              PRESENT    2001-01-03T23:59:00Z',
        'LAX     avg_delay_1d  null (missing)  MISSING',
        'XXX     flights_1d    0               DEFAULTED',
        `contract: airport_delay_stats:1@sha256:${'a'.repeat(64)}`,
        'as of:    2001-01-04T00:00:00Z',
        '',
      ].join('\n'),
    );
  });

  it('says online values are as of the end of the latest materialization, not as of the time of the call', () => {
    const online = (valuesAsOf: featuresV1.GetOnlineFeaturesResponse['valuesAsOf']): featuresV1.GetOnlineFeaturesResponse => ({
      contract: { featureSet: { name: 'airport_delay_stats', version: 1 }, digest: 'sha256:d1' },
      entities: [{ entityId: 'LAX', features: [{ name: 'flights_1d', value: { int64Value: '12' }, status: 'FEATURE_STATUS_STALE' as never, eventTime: at(-60) }] }],
      asOf: at(86_400 * 365),
      valuesAsOf,
    });

    expect(renderOnlineFeatures(online(T0))).toMatch(/\nas of: {4}2001-01-04T00:00:00Z \(online store: end of the latest materialization; served at 2002-01-04T00:00:00Z\)\n$/);
    expect(renderOnlineFeatures(online(null))).toMatch(/\nas of: {4}\(never materialized; served at 2002-01-04T00:00:00Z\)\n$/);
  });

  it('renders job progress and the final summary with rows/s and rejections by reason', () => {
    const running = aJob({ status: 'JOB_STATUS_RUNNING' as never, counters: { rowsRead: '1200', rowsAccepted: '1199', rowsRejected: '1', valuesWritten: '0', rowsTotal: '2000' }, finishedAt: null });
    expect(renderJobProgress(running, 2)).toBe('import job-1 running: 1200/2000 rows read (60%), 1199 accepted, 1 rejected, 600 rows/s');
    expect(renderJobSummary(aJob(), { counts: { REJECTION_REASON_OUT_OF_RANGE: 2, REJECTION_REASON_PARSE_ERROR: 1 }, complete: true })).toBe(
      [
        'import job-1 SUCCEEDED in 4.0s: 2000/2000 rows read (100%), 1997 accepted, 3 rejected (500 rows/s)',
        '  rejected by reason: out-of-range 2, parse-error 1',
        '  see them with: strata quarantine list --job job-1',
        '',
      ].join('\n'),
    );
    const materialized = aJob({
      kind: 'JOB_KIND_MATERIALIZE' as never,
      importFile: null,
      materialize: { featureSet: { name: 'airport_delay_stats', version: 1 }, range: { start: T0, end: null } },
      status: 'JOB_STATUS_FAILED' as never,
      errorMessage: 'boom',
      counters: { rowsRead: '10', rowsAccepted: '0', rowsRejected: '0', valuesWritten: '60', rowsTotal: '0' },
    });
    expect(renderJobSummary(materialized)).toBe('materialize job-1 FAILED in 4.0s: 10 rows read, 60 values written (3 rows/s)\n  error: boom\n');
  });

  it('renders feature statistics and quarantined rows', () => {
    const stats: featuresV1.GetFeatureStatsResponse = {
      contract: { featureSet: { name: 'airport_delay_stats', version: 1 }, digest: 'sha256:abc' },
      features: [
        { name: 'avg_delay_1d', count: '4', nullRate: 0.25, min: -3.5, max: 41.123456789, mean: 12, freshnessLag: { seconds: '3600', nanos: 0 }, latestEventTime: T0 },
        { name: 'flights_1d', count: '0', nullRate: 1, min: null, max: null, mean: null, freshnessLag: null, latestEventTime: null },
      ],
      entityCount: '4',
      computedAt: T0,
    };
    expect(renderFeatureStats(stats)).toBe(
      [
        'contract: airport_delay_stats:1@sha256:abc',
        'entities: 4',
        'computed: 2001-01-04T00:00:00Z',
        'FEATURE       COUNT  NULL RATE  MIN   MAX      MEAN  FRESHNESS LAG  LATEST EVENT',
        'avg_delay_1d  4      25.0%      -3.5  41.1235  12    1h             2001-01-04T00:00:00Z',
        'flights_1d    0      100.0%',
        '',
      ].join('\n'),
    );
    const row: featuresV1.QuarantinedRow = {
      id: 'q1',
      source: 'flights',
      sourceVersion: 1,
      rejection: { rowIndex: '7', eventId: '', reason: 'REJECTION_REASON_OUT_OF_RANGE' as never, field: 'delay', message: 'delay=-900 is below min -180' },
      fields: { origin: { stringValue: 'LAX' }, delay: { int64Value: '-900' } },
      raw: '',
      jobId: 'job-1',
      quarantinedAt: T0,
      replayAttempts: 0,
    };
    expect(renderQuarantineTable([row, { ...row, id: 'q2', fields: {}, raw: 'not\r\njson', rejection: { ...row.rejection!, reason: 'REJECTION_REASON_PARSE_ERROR' as never, field: '' } }])).toBe(
      [
        'ID  SOURCE     REASON        FIELD  MESSAGE                       ROW                      JOB    QUARANTINED           REPLAYS',
        'q1  flights:1  out-of-range  delay  delay=-900 is below min -180  delay=-900 origin="LAX"  job-1  2001-01-04 00:00:00Z  0',
        'q2  flights:1  parse-error          delay=-900 is below min -180  not↵json                 job-1  2001-01-04 00:00:00Z  0',
        '',
      ].join('\n'),
    );
  });
});

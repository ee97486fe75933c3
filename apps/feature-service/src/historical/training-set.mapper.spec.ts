import type { featuresV1 } from '@strata/contracts';
import { InvalidArgumentError } from '@strata/service-runtime';
import { trainingSetRequestOf } from './training-set.mapper';

const AT = { seconds: '978307200', nanos: 0 };

function aRequest(overrides: Partial<featuresV1.GetHistoricalFeaturesRequest> & { entities?: string } = {}): featuresV1.GetHistoricalFeaturesRequest {
  return { featureSets: [{ name: 'delays', version: 1 }], rows: { rows: [{ entityId: 'SFO', timestamp: AT, extra: {} }] }, query: null, features: [], knownAt: null, ...overrides } as featuresV1.GetHistoricalFeaturesRequest;
}

function violationsOf(request: featuresV1.GetHistoricalFeaturesRequest): string[] {
  try {
    trainingSetRequestOf(request);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.fieldViolations.map((violation) => violation.field);
    throw error;
  }
  return [];
}

describe(trainingSetRequestOf.name, () => {
  it('maps inline rows with extra columns in name order, typed by their values', () => {
    const request = trainingSetRequestOf(
      aRequest({
        rows: {
          rows: [
            { entityId: 'SFO', timestamp: AT, extra: { weight: { doubleValue: 0.5 }, label: { boolValue: true } } },
            { entityId: 'LAX', timestamp: AT, extra: { label: { nullReason: 'NULL_REASON_EXPLICIT' } } } as featuresV1.EntityRow,
          ],
        },
        knownAt: { seconds: '978307300', nanos: 5_000_000 },
      }),
    );
    expect(request.entities).toEqual({
      kind: 'rows',
      extraColumns: [
        { name: 'label', type: 'BOOL', field: 'rows.rows[0].extra["label"]' },
        { name: 'weight', type: 'DOUBLE', field: 'rows.rows[0].extra["weight"]' },
      ],
      rows: [
        { entityId: 'SFO', at: new Date('2001-01-01T00:00:00.000Z'), extras: [true, 0.5] },
        { entityId: 'LAX', at: new Date('2001-01-01T00:00:00.000Z'), extras: [{ null: 'EXPLICIT' }, { null: 'MISSING' }] },
      ],
    });
    expect(request.knownAt).toEqual(new Date(978307300005));
  });

  it('maps an entity query', () => {
    const request = trainingSetRequestOf(aRequest({ entities: 'query', rows: null, query: { source: 'flights', timeRange: { start: AT, end: { seconds: '978310800', nanos: 0 } }, extraFields: ['delay'], filter: ' delay > 15 ' } }));
    expect(request.entities).toEqual({ kind: 'query', query: { source: 'flights', start: new Date(978307200000), end: new Date(978310800000), extraFields: ['delay'], filter: 'delay > 15' } });
  });

  it.each([
    ['no feature sets', aRequest({ featureSets: [] }), 'feature_sets'],
    ['version 0', aRequest({ featureSets: [{ name: 'delays', version: 0 }] }), 'feature_sets[0].version'],
    ['a feature set listed twice', aRequest({ featureSets: [{ name: 'delays', version: 1 }, { name: 'delays', version: 2 }] }), 'feature_sets[1]'],
    ['no rows', aRequest({ rows: { rows: [] } }), 'rows.rows'],
    ['no entities', aRequest({ rows: null }), 'rows'],
    ['a row without entity ID', aRequest({ rows: { rows: [{ entityId: '', timestamp: AT, extra: {} }] } }), 'rows.rows[0].entity_id'],
    ['a row without timestamp', aRequest({ rows: { rows: [{ entityId: 'SFO', timestamp: null, extra: {} }] } }), 'rows.rows[0].timestamp'],
    ['an extra Value with no member', aRequest({ rows: { rows: [{ entityId: 'SFO', timestamp: AT, extra: { x: {} } }] } }), 'rows.rows[0].extra["x"]'],
    ['an unqualified feature name', aRequest({ features: ['avg_delay'] }), 'features[0]'],
    ['a query without start', aRequest({ entities: 'query', rows: null, query: { source: 'flights', timeRange: { end: AT }, extraFields: [], filter: '' } }), 'query.time_range.start'],
    ['a query with start after end', aRequest({ entities: 'query', rows: null, query: { source: 'flights', timeRange: { start: { seconds: '978310800', nanos: 0 }, end: AT }, extraFields: [], filter: '' } }), 'query.time_range'],
    ['a query without source', aRequest({ entities: 'query', rows: null, query: { source: '', timeRange: { start: AT, end: { seconds: '978310800', nanos: 0 } }, extraFields: [], filter: '' } }), 'query.source'],
  ])('rejects %s', (_case, request, field) => {
    expect(violationsOf(request)).toContain(field);
  });

  it('rejects more than 100000 inline rows without checking each', () => {
    const rows = Array.from({ length: 100_001 }, () => ({ entityId: 'SFO', timestamp: AT, extra: {} }));
    expect(violationsOf(aRequest({ rows: { rows } }))).toEqual(['rows.rows']);
  });
});

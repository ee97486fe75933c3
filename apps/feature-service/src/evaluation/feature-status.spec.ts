import type { FeatureDef } from '../feature-set/feature-set';
import { servedValueOf } from './feature-status';

const aFeature = (overrides: Partial<FeatureDef> = {}): FeatureDef => ({ name: 'delay_avg_1h', type: 'DOUBLE', aggregation: 'avg', field: 'delay', windowSeconds: 3600, filter: '', description: '', ...overrides });
const AT = new Date('2026-01-02T00:00:00.000Z');
const HOUR_MS = 3_600_000;

describe(servedValueOf.name, () => {
  it('serves a fresh value as PRESENT with its event time', () => {
    const eventTime = new Date(AT.getTime() - HOUR_MS);
    expect(servedValueOf({ value: 4.5, eventTime }, aFeature(), AT, 7200)).toEqual({ value: 4.5, status: 'PRESENT', eventTime });
  });

  it('keeps a value older than the staleness limit and marks it STALE', () => {
    const eventTime = new Date(AT.getTime() - 3 * HOUR_MS);
    expect(servedValueOf({ value: 4.5, eventTime }, aFeature(), AT, 7200)).toEqual({ value: 4.5, status: 'STALE', eventTime });
  });

  it('treats a value exactly at the staleness limit as fresh, and never stale without a limit', () => {
    const eventTime = new Date(AT.getTime() - 2 * HOUR_MS);
    expect(servedValueOf({ value: 1, eventTime }, aFeature(), AT, 7200).status).toBe('PRESENT');
    expect(servedValueOf({ value: 1, eventTime: new Date(0) }, aFeature(), AT).status).toBe('PRESENT');
  });

  it('serves the default as DEFAULTED when there is no value and the feature has one', () => {
    expect(servedValueOf({ value: null, nullReason: 'EMPTY_WINDOW' }, aFeature({ defaultValue: -1 }), AT, 7200)).toEqual({ value: -1, status: 'DEFAULTED' });
    expect(servedValueOf({ value: null, nullReason: 'MISSING' }, aFeature({ defaultValue: -1 }), AT)).toEqual({ value: -1, status: 'DEFAULTED' });
  });

  it('serves MISSING with the reason when there is no value and no default', () => {
    expect(servedValueOf({ value: null, nullReason: 'EMPTY_WINDOW' }, aFeature(), AT)).toEqual({ value: null, status: 'MISSING', nullReason: 'EMPTY_WINDOW' });
    expect(servedValueOf({ value: null, nullReason: 'MISSING' }, aFeature(), AT)).toEqual({ value: null, status: 'MISSING', nullReason: 'MISSING' });
  });

  it('serves COUNT and SUM over an empty window of a seen entity as 0 PRESENT', () => {
    expect(servedValueOf({ value: null, nullReason: 'EMPTY_WINDOW' }, aFeature({ aggregation: 'count', type: 'INT64', field: '' }), AT)).toEqual({ value: 0, status: 'PRESENT' });
    expect(servedValueOf({ value: null, nullReason: 'EMPTY_WINDOW' }, aFeature({ aggregation: 'sum' }), AT)).toEqual({ value: 0, status: 'PRESENT' });
    expect(servedValueOf({ value: null, nullReason: 'MISSING' }, aFeature({ aggregation: 'count', type: 'INT64', field: '' }), AT).status).toBe('MISSING');
  });
});

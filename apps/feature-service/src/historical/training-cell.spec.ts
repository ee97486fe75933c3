import type { FeatureDef } from '../feature-set/feature-set';
import { trainingCellOf } from './build-training-set.use-case';

const AT = new Date('2001-01-01T12:00:00.000Z');
const last: FeatureDef = { name: 'last_delay', type: 'DOUBLE', aggregation: 'last', field: 'delay', filter: '', description: '' };

describe(trainingCellOf.name, () => {
  it('keeps a fresh value', () => {
    expect(trainingCellOf({ value: 12, eventTime: new Date(AT.getTime() - 1800_000) }, last, AT, 1800)).toBe(12);
  });

  it('turns a value older than the TTL into a null MISSING, or the default', () => {
    const stale = { value: 12, eventTime: new Date(AT.getTime() - 1800_001) };
    expect(trainingCellOf(stale, last, AT, 1800)).toEqual({ null: 'MISSING' });
    expect(trainingCellOf(stale, { ...last, defaultValue: 0 }, AT, 1800)).toBe(0);
  });

  it('keeps any value without a TTL', () => {
    expect(trainingCellOf({ value: 12, eventTime: new Date(0) }, last, AT, undefined)).toBe(12);
  });

  it('keeps the null reason of a missing value, or serves the default', () => {
    expect(trainingCellOf({ value: null, nullReason: 'EMPTY_WINDOW' }, last, AT, undefined)).toEqual({ null: 'EMPTY_WINDOW' });
    expect(trainingCellOf(undefined, last, AT, undefined)).toEqual({ null: 'MISSING' });
    expect(trainingCellOf({ value: null, nullReason: 'MISSING' }, { ...last, defaultValue: -1 }, AT, undefined)).toBe(-1);
  });
});

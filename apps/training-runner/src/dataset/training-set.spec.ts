import { type Cell, type DatasetColumn } from './feature-store';
import { labelValueOf, parseLabelExpression } from './label-expression';
import { splitRows } from './split';
import { assembleTrainingSet, TrainingSetError } from './training-set';

const COLUMNS: DatasetColumn[] = [
  { name: 'entity_id', type: 'STRING', role: 'entity_id' },
  { name: 'timestamp', type: 'TIMESTAMP', role: 'timestamp' },
  { name: 'delay', type: 'INT64', role: 'extra' },
  { name: 'distance', type: 'INT64', role: 'extra' },
  { name: 'route_stats.flights_7d', type: 'INT64', role: 'feature' },
  { name: 'route_stats.avg_delay_7d', type: 'DOUBLE', role: 'feature' },
];
const T0 = Date.UTC(2001, 0, 1, 14, 30);
const rows: Cell[][] = [
  ['SFO|LAX', T0, 20, 337, 3, 12.5],
  ['SFO|LAX', T0 + 3_600_000, 5, 337, 4, null],
  ['JFK|BOS', T0 + 7_200_000, null, 187, 0, null],
];

describe('label expressions', () => {
  it('parses a field name or one comparison with a number, and nothing else', () => {
    expect(parseLabelExpression('delay')).toEqual({ kind: 'field', field: 'delay' });
    expect(parseLabelExpression(' delay > 15 ')).toEqual({ kind: 'comparison', field: 'delay', op: '>', value: 15 });
    expect(parseLabelExpression('delay >= -2.5')).toEqual({ kind: 'comparison', field: 'delay', op: '>=', value: -2.5 });
    expect(parseLabelExpression('delay >')).toBeUndefined();
    expect(parseLabelExpression('delay > 15 and x')).toBeUndefined();
  });

  it('turns a comparison into a boolean and keeps null as no label', () => {
    const expression = parseLabelExpression('delay > 15');
    if (expression === undefined) throw new Error('unparsed');
    expect([labelValueOf(expression, 20), labelValueOf(expression, 15), labelValueOf(expression, null)]).toEqual([true, false, null]);
  });
});

describe(assembleTrainingSet.name, () => {
  const label = parseLabelExpression('delay > 15') as NonNullable<ReturnType<typeof parseLabelExpression>>;

  it('builds the matrix in the requested column order with derived hour, NaN for missing values and rows without a label left out', () => {
    const set = assembleTrainingSet(COLUMNS, rows, { features: ['route_stats.avg_delay_7d', 'distance', 'hour_of_day'], label, task: 'binary' });
    expect(set.featureNames).toEqual(['route_stats.avg_delay_7d', 'distance', 'hour_of_day']);
    expect(Array.from(set.x.values)).toEqual([12.5, 337, 14, Number.NaN, 337, 15]);
    expect(Array.from(set.y)).toEqual([1, 0]);
    expect(Array.from(set.timestamps)).toEqual([T0, T0 + 3_600_000]);
    expect(set.droppedRows).toBe(1);
  });

  it('takes every feature column in schema order when none are listed', () => {
    expect(assembleTrainingSet(COLUMNS, rows, { features: [], label, task: 'binary' }).featureNames).toEqual(['route_stats.flights_7d', 'route_stats.avg_delay_7d']);
  });

  it('refuses a non-0/1 label for binary classification with LABEL_INVALID', () => {
    const raw = parseLabelExpression('delay') as NonNullable<ReturnType<typeof parseLabelExpression>>;
    expect(() => assembleTrainingSet(COLUMNS, rows, { features: [], label: raw, task: 'binary' })).toThrow(expect.objectContaining({ code: 'LABEL_INVALID' }) as Error);
    expect(assembleTrainingSet(COLUMNS, rows, { features: [], label: raw, task: 'regression' }).y).toEqual(Float64Array.from([20, 5]));
  });

  it('refuses string features and unknown columns', () => {
    expect(() => assembleTrainingSet(COLUMNS, rows, { features: ['entity_id'], label, task: 'binary' })).toThrow(TrainingSetError);
    expect(() => assembleTrainingSet(COLUMNS, rows, { features: ['gate'], label, task: 'binary' })).toThrow(/no column "gate"/);
  });

  it('encodes multiclass labels as sorted class indices', () => {
    const raw = parseLabelExpression('distance') as NonNullable<ReturnType<typeof parseLabelExpression>>;
    const set = assembleTrainingSet(COLUMNS, rows, { features: [], label: raw, task: 'multiclass' });
    expect(set.classes).toEqual(['187', '337']);
    expect(Array.from(set.y)).toEqual([1, 1, 0]);
  });
});

describe(splitRows.name, () => {
  const timestamps = Float64Array.from({ length: 100 }, (_, i) => i * 1000);

  it('splits by time with no row of a later split older than a row of an earlier one', () => {
    const split = splitRows(timestamps, { kind: 'time', validationStart: 60_000, testStart: 80_000 }, 1);
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([60, 20, 20]);
    expect(Math.max(...split.train.map((i) => timestamps[i] as number))).toBeLessThan(Math.min(...split.validation.map((i) => timestamps[i] as number)));
    expect(Math.max(...split.validation.map((i) => timestamps[i] as number))).toBeLessThan(Math.min(...split.test.map((i) => timestamps[i] as number)));
  });

  it('splits at random by fractions, the same way for the same seed and differently for another', () => {
    const a = splitRows(timestamps, { kind: 'random', validationFraction: 0.1, testFraction: 0.2 }, 42);
    const b = splitRows(timestamps, { kind: 'random', validationFraction: 0.1, testFraction: 0.2 }, 42);
    const c = splitRows(timestamps, { kind: 'random', validationFraction: 0.1, testFraction: 0.2 }, 43);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([70, 10, 20]);
    expect(a).toEqual(b);
    expect(Array.from(c.test)).not.toEqual(Array.from(a.test));
    expect(new Set([...a.train, ...a.validation, ...a.test]).size).toBe(100);
  });
});

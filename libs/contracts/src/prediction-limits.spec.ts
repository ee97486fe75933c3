import { PREDICTION_LIMITS, type PredictionRowView, predictionRowViolations } from './prediction-limits';

const aRow = (overrides: Partial<PredictionRowView> = {}): PredictionRowView => ({ entityId: 'SFO|LAX', features: { distance: 337, weekend: true, carrier: 'AA', hour: null }, ...overrides });

describe(predictionRowViolations.name, () => {
  it('accepts rows within every limit, up to the limits themselves', () => {
    expect(predictionRowViolations([])).toEqual([]);
    expect(predictionRowViolations([aRow(), aRow({ entityId: '' })])).toEqual([]);
    const longest = aRow({ entityId: 'é'.repeat(PREDICTION_LIMITS.maxEntityIdBytes / 2), features: { ['f'.repeat(PREDICTION_LIMITS.maxFeatureNameBytes)]: 1 } });
    expect(predictionRowViolations([longest])).toEqual([]);
    const fullFanOut = Array.from({ length: PREDICTION_LIMITS.maxRows }, () => aRow({ features: Object.fromEntries(Array.from({ length: PREDICTION_LIMITS.maxFeatureValues / PREDICTION_LIMITS.maxRows }, (_, index) => [`f${index}`, index])) }));
    expect(predictionRowViolations(fullFanOut)).toEqual([]);
  });

  it.each([
    ['Infinity (1e400)', JSON.parse('1e400') as number],
    ['-Infinity (-1e400)', JSON.parse('-1e400') as number],
    ['NaN', Number.NaN],
  ])('refuses a feature value of %s, naming the row and the feature', (_, value) => {
    expect(predictionRowViolations([aRow(), aRow({ features: { distance: value, hour: 3 } })])).toEqual([{ field: 'rows[1].features.distance', description: expect.stringMatching(/must be finite numbers.*send null for a missing value/) }]);
  });

  it('refuses an entity ID over the limit in UTF-8 bytes, not characters', () => {
    const overInBytes = 'é'.repeat(PREDICTION_LIMITS.maxEntityIdBytes / 2 + 1);
    expect(overInBytes.length).toBeLessThan(PREDICTION_LIMITS.maxEntityIdBytes);
    expect(predictionRowViolations([aRow({ entityId: overInBytes })])).toEqual([{ field: 'rows[0].entity_id', description: `is ${PREDICTION_LIMITS.maxEntityIdBytes + 2} bytes long; entity IDs are at most 1024 bytes (UTF-8)` }]);
    const huge = 'x'.repeat(1.5 * 1024 * 1024);
    expect(predictionRowViolations([aRow(), aRow({ entityId: huge })])).toEqual([{ field: 'rows[1].entity_id', description: expect.stringContaining(`is ${huge.length} bytes long`) }]);
  });

  it('refuses a feature name over the limit without echoing it', () => {
    const name = 'n'.repeat(PREDICTION_LIMITS.maxFeatureNameBytes + 1);
    const violations = predictionRowViolations([aRow({ features: { [name]: Number.NaN } })]);
    expect(violations).toEqual([{ field: 'rows[0].features', description: 'has a feature name of 257 bytes; feature names are at most 256 bytes (UTF-8)' }]);
  });

  it('refuses more feature values than the limit summed over the rows (rows × features) first, and more rows than allowed alone', () => {
    const wide = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`f${index}`, index]));
    const violations = predictionRowViolations([...Array.from({ length: 999 }, () => aRow({ features: wide })), aRow({ entityId: 'x'.repeat(2000), features: { ...wide, distance: Number.POSITIVE_INFINITY } })]);
    expect(violations[0]).toEqual({ field: 'rows', description: 'carry 101001 feature values; at most 100000 per request, summed over the rows (rows × features)' });
    expect(violations.map((violation) => violation.field)).toEqual(['rows', 'rows[999].entity_id', 'rows[999].features.distance']);
    expect(predictionRowViolations(Array.from({ length: PREDICTION_LIMITS.maxRows + 1 }, () => aRow({ entityId: 'x'.repeat(2000) })))).toEqual([{ field: 'rows', description: 'has 1001 rows; at most 1000 per request' }]);
  });

  it('lists at most 100 violations', () => {
    expect(predictionRowViolations(Array.from({ length: 300 }, () => aRow({ features: { distance: Number.NaN } })))).toHaveLength(100);
  });
});

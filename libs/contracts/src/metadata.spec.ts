import {
  formatFeatureContractHeader,
  formatModelVersionHeader,
  parseFeatureContractHeader,
  parseModelVersionHeader,
} from './metadata';

const DIGEST = `sha256:${'9f86d081884c7d65'.repeat(4)}`;

describe('metadata headers', () => {
  it('round-trips strata-model-version', () => {
    expect(formatModelVersionHeader({ model: 'flights-delay', version: 3 })).toBe('flights-delay:3');
    expect(parseModelVersionHeader('flights-delay:3')).toEqual({ model: 'flights-delay', version: 3 });
  });

  it('rejects malformed strata-model-version values', () => {
    for (const value of ['', 'flights-delay', 'flights-delay:0', 'Flights:3', 'm:3:4', 'm:-1']) {
      expect(parseModelVersionHeader(value)).toBeUndefined();
    }
  });

  it('round-trips strata-feature-contract with and without a digest', () => {
    const withDigest = { featureSet: 'flights_delay', version: 2, digest: DIGEST };
    expect(formatFeatureContractHeader(withDigest)).toBe(`flights_delay:2@${DIGEST}`);
    expect(parseFeatureContractHeader(`flights_delay:2@${DIGEST}`)).toEqual(withDigest);
    expect(formatFeatureContractHeader({ ...withDigest, digest: '' })).toBe('flights_delay:2');
    expect(parseFeatureContractHeader('flights_delay:2')).toEqual({ ...withDigest, digest: '' });
  });

  it('rejects malformed strata-feature-contract values', () => {
    for (const value of ['flights_delay', 'flights_delay:2@sha256:abc', 'flights-delay:2', `x:1@${DIGEST.toUpperCase()}`]) {
      expect(parseFeatureContractHeader(value)).toBeUndefined();
    }
  });
});

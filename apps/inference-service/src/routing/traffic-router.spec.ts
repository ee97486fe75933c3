import { type TrafficPolicy } from '../releases/release-state';
import { chooseAlias, shouldShadow, trafficBucket } from './traffic-router';

function aPolicy(overrides: Partial<TrafficPolicy> = {}): TrafficPolicy {
  return { splits: [{ alias: 'production', percent: 90 }, { alias: 'canary', percent: 10 }], ...overrides };
}

const REQUEST_IDS = Array.from({ length: 10_000 }, (_, index) => `req-${index}`);

function share(keys: readonly string[], predicate: (key: string) => boolean): number {
  return (100 * keys.filter(predicate).length) / keys.length;
}

describe('traffic router', () => {
  describe(chooseAlias.name, () => {
    it.each([
      [90, 10],
      [50, 50],
      [100, 0],
      [0, 100],
    ])('lands within 3 points of a %i/%i split over 10,000 request IDs', (production, canary) => {
      const policy = aPolicy({ splits: [{ alias: 'production', percent: production }, { alias: 'canary', percent: canary }] });
      const productionShare = share(REQUEST_IDS, (id) => chooseAlias(policy, id) === 'production');
      const canaryShare = share(REQUEST_IDS, (id) => chooseAlias(policy, id) === 'canary');
      expect(Math.abs(productionShare - production)).toBeLessThanOrEqual(3);
      expect(productionShare + canaryShare).toBe(100);
    });

    it('sends every request to production when the split is 100/0', () => {
      const policy = aPolicy({ splits: [{ alias: 'production', percent: 100 }, { alias: 'canary', percent: 0 }] });
      expect(REQUEST_IDS.every((id) => chooseAlias(policy, id) === 'production')).toBe(true);
    });

    it('gives the same alias to the same key every time', () => {
      const policy = aPolicy({ splits: [{ alias: 'production', percent: 50 }, { alias: 'canary', percent: 50 }] });
      for (const id of REQUEST_IDS.slice(0, 500)) {
        const first = chooseAlias(policy, id);
        expect(chooseAlias(policy, id)).toBe(first);
        expect(chooseAlias({ ...policy, splits: [...policy.splits] }, id)).toBe(first);
      }
    });

    it('keeps a key on canary when the canary share grows', () => {
      const small = aPolicy({ splits: [{ alias: 'canary', percent: 10 }, { alias: 'production', percent: 90 }] });
      const large = aPolicy({ splits: [{ alias: 'canary', percent: 30 }, { alias: 'production', percent: 70 }] });
      const onSmallCanary = REQUEST_IDS.filter((id) => chooseAlias(small, id) === 'canary');
      expect(onSmallCanary.every((id) => chooseAlias(large, id) === 'canary')).toBe(true);
    });

    it('answers production when the policy has no splits', () => {
      expect(chooseAlias({ splits: [] }, 'req-1')).toBe('production');
    });

    it('gives leftover buckets to the first split when percents add up to less than 100', () => {
      const policy = aPolicy({ splits: [{ alias: 'production', percent: 0 }, { alias: 'canary', percent: 0 }] });
      expect(REQUEST_IDS.slice(0, 100).every((id) => chooseAlias(policy, id) === 'production')).toBe(true);
    });
  });

  describe(shouldShadow.name, () => {
    it('samples near its percent over 10,000 request IDs', () => {
      const policy = aPolicy({ shadowAlias: 'shadow', shadowPercent: 20 });
      expect(Math.abs(share(REQUEST_IDS, (id) => shouldShadow(policy, id)) - 20)).toBeLessThanOrEqual(3);
    });

    it('shadows about the same share of each alias, independent of the split', () => {
      const policy = aPolicy({ shadowAlias: 'shadow', shadowPercent: 10 });
      for (const alias of ['production', 'canary']) {
        const routed = REQUEST_IDS.filter((id) => chooseAlias(policy, id) === alias);
        expect(Math.abs(share(routed, (id) => shouldShadow(policy, id)) - 10)).toBeLessThanOrEqual(3);
      }
    });

    it('is sticky for the same key', () => {
      const policy = aPolicy({ shadowAlias: 'shadow', shadowPercent: 50 });
      for (const id of REQUEST_IDS.slice(0, 500)) expect(shouldShadow(policy, id)).toBe(shouldShadow(policy, id));
    });

    it('never shadows when the policy has no shadow alias or a zero percent', () => {
      expect(REQUEST_IDS.some((id) => shouldShadow(aPolicy({ shadowPercent: 100 }), id))).toBe(false);
      expect(REQUEST_IDS.some((id) => shouldShadow(aPolicy({ shadowAlias: 'shadow', shadowPercent: 0 }), id))).toBe(false);
      expect(REQUEST_IDS.some((id) => shouldShadow(aPolicy({ shadowAlias: 'shadow' }), id))).toBe(false);
    });

    it('shadows everything at 100 percent', () => {
      expect(REQUEST_IDS.every((id) => shouldShadow(aPolicy({ shadowAlias: 'shadow', shadowPercent: 100 }), id))).toBe(true);
    });
  });

  describe(trafficBucket.name, () => {
    it('stays in 0..9999 and is stable across calls', () => {
      for (const id of REQUEST_IDS.slice(0, 1000)) {
        const bucket = trafficBucket(id);
        expect(bucket).toBeGreaterThanOrEqual(0);
        expect(bucket).toBeLessThan(10_000);
        expect(Number.isInteger(bucket)).toBe(true);
      }
      expect(trafficBucket('')).toBe(trafficBucket(''));
    });
  });
});

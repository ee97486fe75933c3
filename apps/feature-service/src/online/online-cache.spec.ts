import type { FeatureConfig } from '../config/feature.config';
import { OnlineCache, type OnlineRow } from './online-cache';

const aCache = (entries: number) => new OnlineCache({ onlineCacheEntries: entries } as FeatureConfig);
const aRow = (value: number): OnlineRow => ({ values: [value], eventTimes: ['2026-01-01T00:00:00.000Z'], evaluatedAt: new Date('2026-01-02T00:00:00.000Z') });

describe(OnlineCache.name, () => {
  it('serves a row cached at the same generation and misses at another one', () => {
    const cache = aCache(10);
    cache.set('fs1', 'a', 1n, aRow(1));
    cache.set('fs1', 'b', 1n, null);
    expect(cache.get('fs1', 'a', 1n)).toEqual(aRow(1));
    expect(cache.get('fs1', 'b', 1n)).toBeNull();
    expect(cache.get('fs1', 'a', 2n)).toBeUndefined();
    expect(cache.get('fs2', 'a', 1n)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2, size: 2 });
  });

  it('evicts the least recently used row beyond its capacity', () => {
    const cache = aCache(2);
    cache.set('fs', 'a', 1n, aRow(1));
    cache.set('fs', 'b', 1n, aRow(2));
    cache.get('fs', 'a', 1n);
    cache.set('fs', 'c', 1n, aRow(3));
    expect(cache.get('fs', 'b', 1n)).toBeUndefined();
    expect(cache.get('fs', 'a', 1n)).toEqual(aRow(1));
    expect(cache.get('fs', 'c', 1n)).toEqual(aRow(3));
  });

  it('caches nothing with capacity 0', () => {
    const cache = aCache(0);
    cache.set('fs', 'a', 1n, aRow(1));
    expect(cache.get('fs', 'a', 1n)).toBeUndefined();
  });

  it('drops a feature set on invalidation and never moves its known generation back', () => {
    const cache = aCache(10);
    cache.set('fs', 'a', 1n, aRow(1));
    cache.set('other', 'a', 1n, aRow(9));
    cache.invalidate('fs', 2n, 1000);
    expect(cache.get('fs', 'a', 1n)).toBeUndefined();
    expect(cache.get('other', 'a', 1n)).toEqual(aRow(9));
    expect(cache.knownGeneration('fs')).toEqual({ generation: 2n, checkedAt: 1000 });
    cache.noteGeneration('fs', 1n, 2000);
    expect(cache.knownGeneration('fs')).toEqual({ generation: 2n, checkedAt: 2000 });
  });
});

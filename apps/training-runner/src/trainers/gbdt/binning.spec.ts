import { matrixOf } from '../shared/matrix';
import { seededRandom } from '../shared/random';
import { FeatureBinning } from './binning';

function column(values: readonly number[]): ReturnType<typeof matrixOf> {
  return matrixOf(values.map((value) => [value]));
}

describe(FeatureBinning.name, () => {
  it('gives each distinct value its own bin and NaN the last bin when there are few values', () => {
    const x = column([3, 1, 2, Number.NaN, 2, 1]);

    const binning = FeatureBinning.fitOn(x, 255);

    expect(Array.from(binning.edges[0])).toEqual([1.5, 2.5]);
    expect([binning.binCount(0), binning.missingBin(0)]).toEqual([4, 3]);
    expect(Array.from(binning.transform(x).bins)).toEqual([2, 0, 1, 3, 1, 0]);
  });

  it('keeps at most max_bins value bins of about equal size when values are many', () => {
    const random = seededRandom(1);
    const x = column(Array.from({ length: 10_000 }, () => random()));

    const binning = FeatureBinning.fitOn(x, 16);

    const counts = new Array<number>(binning.binCount(0)).fill(0);
    for (const bin of binning.transform(x).bins) counts[bin] += 1;
    expect(binning.edges[0].length).toBe(15);
    expect(Math.min(...counts.slice(0, 16))).toBeGreaterThan(500);
    expect(Math.max(...counts.slice(0, 16))).toBeLessThan(800);
  });

  it('keeps a heavy value in one bin and still splits the rest when one value dominates', () => {
    const random = seededRandom(2);
    const x = column(Array.from({ length: 1000 }, (_, row) => (row < 900 ? 0 : 1 + random())));

    const binning = FeatureBinning.fitOn(x, 8);

    const bins = binning.transform(x).bins;
    expect(new Set(bins.subarray(0, 900)).size).toBe(1);
    expect(new Set(bins.subarray(900)).size).toBe(7);
  });

  it('uses float32 edges so that bin <= b exactly when the float32 value is <= the threshold', () => {
    const random = seededRandom(3);
    // Values closer together than float32 can tell, so rounding decides their bins.
    const values = Array.from({ length: 2000 }, () => 0.1 + Math.floor(random() * 400) * 1e-9 + random() * 1e-10);
    const x = column(values);

    const binning = FeatureBinning.fitOn(x, 32);

    const bins = binning.transform(x).bins;
    expect(Array.from(binning.edges[0]).every((edge) => Math.fround(edge) === edge)).toBe(true);
    let disagreements = 0;
    for (let bin = 0; bin < binning.binCount(0) - 1; bin += 1) {
      const threshold = binning.threshold(0, bin);
      values.forEach((value, row) => {
        if (bins[row] <= bin !== Math.fround(value) <= threshold) disagreements += 1;
      });
    }
    expect(disagreements).toBe(0);
  });

  it('bins infinities as values and a column without values as all missing', () => {
    const x = matrixOf([
      [Number.NEGATIVE_INFINITY, Number.NaN],
      [0, Number.NaN],
      [Number.POSITIVE_INFINITY, Number.NaN],
    ]);

    const binning = FeatureBinning.fitOn(x, 255);

    expect(Array.from(binning.transform(x).bins)).toEqual([0, 1, 2, 1, 1, 1]);
    expect(binning.binCount(1)).toBe(2);
  });
});

import { type Matrix } from '../shared/matrix';
import { seededRandom } from '../shared/random';
import { type MlpActivation } from './activation';
import { DenseNetwork } from './dense-network';
import { MlpPasses } from './mlp-passes';
import { BinaryHead, MulticlassHead, type OutputHead, RegressionHead } from './output-head';

const ROWS = 7;
// Layer widths around the kernels' block of eight exercise both their blocked and remainder loops.
const SIZES = [9, 10, 3];
const L2 = 0.1;

function randomMatrix(rows: number, cols: number, random: () => number): Matrix {
  return { rows, cols, values: Float64Array.from({ length: rows * cols }, () => 2 * random() - 1) };
}

// The objective the analytic gradient belongs to: mean per-row loss (half squared error for regression) + L2 / 2 · ‖W‖².
function objective(passes: MlpPasses, network: DenseNetwork, head: OutputHead, x: Matrix, y: Float64Array): number {
  const perRow = passes.loss(x, y) / x.rows;
  let squares = 0;
  for (const layer of network.layers) for (let offset = layer.weightOffset; offset < layer.biasOffset; offset += 1) squares += (network.params[offset] as number) ** 2;
  return (head instanceof RegressionHead ? perRow / 2 : perRow) + (L2 / 2) * squares;
}

describe(MlpPasses.name, () => {
  it.each<[string, MlpActivation, OutputHead, (random: () => number) => number]>([
    ['binary', 'relu', new BinaryHead(), (random) => (random() < 0.5 ? 0 : 1)],
    ['binary', 'sigmoid', new BinaryHead(), (random) => (random() < 0.5 ? 0 : 1)],
    ['regression', 'tanh', new RegressionHead(1), (random) => 3 * random() - 1],
    ['multiclass', 'tanh', new MulticlassHead(4), (random) => Math.floor(4 * random())],
  ])('computes the %s gradient with %s units that finite differences measure', (_, activation, head, label) => {
    const random = seededRandom(3);
    const network = DenseNetwork.initialize([...SIZES, head.units], activation, random);
    const x = randomMatrix(ROWS, SIZES[0] as number, random);
    const y = Float64Array.from({ length: ROWS }, () => label(random));
    const passes = new MlpPasses(network, head, { hiddenActivation: activation, batchSize: ROWS });
    const order = Uint32Array.from({ length: ROWS }, (_unused, row) => row);
    const gradient = new Float64Array(network.params.length);

    passes.gradient(x, y, order, 0, ROWS, gradient, L2);

    const step = 1e-6;
    for (let index = 0; index < network.params.length; index += 1) {
      const saved = network.params[index] as number;
      network.params[index] = saved + step;
      const up = objective(passes, network, head, x, y);
      network.params[index] = saved - step;
      const down = objective(passes, network, head, x, y);
      network.params[index] = saved;
      expect(Math.abs((gradient[index] as number) - (up - down) / (2 * step))).toBeLessThan(1e-6);
    }
  });

  it('draws the same dropout masks from the same seed and other masks from another seed', () => {
    const network = DenseNetwork.initialize([3, 16, 1], 'relu', seededRandom(1));
    const x = randomMatrix(5, 3, seededRandom(2));
    const y = new Float64Array(5);
    const order = Uint32Array.from([0, 1, 2, 3, 4]);
    const run = (seed: number): Float64Array => {
      const gradient = new Float64Array(network.params.length);
      new MlpPasses(network, new BinaryHead(), { hiddenActivation: 'relu', batchSize: 5, dropout: 0.5, random: seededRandom(seed) }).gradient(x, y, order, 0, 5, gradient, 0);
      return gradient;
    };

    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });
});

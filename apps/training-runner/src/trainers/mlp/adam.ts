// Module constant instead of Math.sqrt: a global lookup per call is slow inside vm contexts (Jest).
const { sqrt } = Math;

/** Adam (Kingma & Ba, 2015) over one flat parameter vector, with the paper's defaults β1 0.9, β2 0.999, ε 1e-8. */
export class Adam {
  private readonly firstMoment: Float64Array;
  private readonly secondMoment: Float64Array;
  private steps = 0;

  constructor(
    size: number,
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.firstMoment = new Float64Array(size);
    this.secondMoment = new Float64Array(size);
  }

  /** Updates `params` in place from `gradient`. */
  step(params: Float64Array, gradient: Float64Array): void {
    this.steps += 1;
    const { beta1, beta2, epsilon, firstMoment, secondMoment } = this;
    // Bias corrections folded into the step size.
    const stepSize = (this.learningRate * sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
    for (let index = 0; index < params.length; index += 1) {
      const g = gradient[index] as number;
      const m = beta1 * (firstMoment[index] as number) + (1 - beta1) * g;
      const v = beta2 * (secondMoment[index] as number) + (1 - beta2) * g * g;
      firstMoment[index] = m;
      secondMoment[index] = v;
      params[index] = (params[index] as number) - (stepSize * m) / (sqrt(v) + epsilon);
    }
  }
}

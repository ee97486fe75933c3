/**
 * Early stopping on the validation loss: remembers the parameters of the best epoch so far and
 * says when `patience` epochs in a row have not beaten it.
 */
export class EarlyStopping {
  private bestLoss = Number.POSITIVE_INFINITY;
  private bestParams: Float64Array | undefined;
  private staleEpochs = 0;
  /** 1-based epoch of the best validation loss (0 before any). */
  bestEpoch = 0;

  constructor(private readonly patience: number) {}

  /** Records an epoch; returns true when training should stop. */
  observe(epoch: number, validationLoss: number, params: Float64Array): boolean {
    if (validationLoss < this.bestLoss) {
      this.bestLoss = validationLoss;
      this.bestEpoch = epoch;
      if (this.bestParams === undefined) this.bestParams = Float64Array.from(params);
      else this.bestParams.set(params);
      this.staleEpochs = 0;
      return false;
    }
    this.staleEpochs += 1;
    return this.staleEpochs >= this.patience;
  }

  /** Copies the best epoch's parameters into `params` (no-op before any epoch). */
  restoreBest(params: Float64Array): void {
    if (this.bestParams !== undefined) params.set(this.bestParams);
  }
}

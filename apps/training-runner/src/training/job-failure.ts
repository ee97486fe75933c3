/** Why a run ended without a model; becomes the job's error (retryable ones re-queue the job while attempts remain). */
export class JobFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

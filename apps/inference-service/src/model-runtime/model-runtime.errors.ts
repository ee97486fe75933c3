/**
 * Why a model version was refused before it could serve:
 * - `DIGEST_MISMATCH`: the bytes' sha256 is not the one the registry recorded (or none was given);
 * - `INVALID_MODEL`: the bytes are not a servable ONNX model (see `@strata/onnx`), or use a
 *   datatype the runtime cannot feed;
 * - `EXTERNAL_DATA`: tensors live in files outside the model, which a model loaded from bytes cannot read;
 * - `CUSTOM_OPS`: the model uses operator domains other than the standard ONNX ones;
 * - `RUNTIME_REJECTED`: onnxruntime refused to create a session from the bytes;
 * - `WARMUP_FAILED`: the session was created but the warm-up inference failed.
 */
export type ModelLoadFailureReason = 'DIGEST_MISMATCH' | 'INVALID_MODEL' | 'EXTERNAL_DATA' | 'CUSTOM_OPS' | 'RUNTIME_REJECTED' | 'WARMUP_FAILED' | 'FEATURE_CONTRACT';

/** A model version could not be loaded; nothing of it serves. `reason` is for code, `message` for people. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';

  constructor(
    readonly reason: ModelLoadFailureReason,
    readonly modelName: string,
    readonly version: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot load model=${modelName} version=${version} (${reason}): ${detail}`, options);
  }
}

/** A request's input does not match the served version's signature; `field` is the input's name. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';

  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`input "${field}": ${detail}`);
  }
}

/** Nothing can serve the request: the alias has no loaded version, or the version was retired. */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';

  constructor(
    readonly modelName: string,
    readonly alias: string | undefined,
    detail: string,
  ) {
    super(`model=${modelName}${alias === undefined ? '' : ` alias=${alias}`} is unavailable: ${detail}`);
  }
}

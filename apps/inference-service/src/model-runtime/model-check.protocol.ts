import type { OnnxModelInfo } from '@strata/onnx';

/** A request to the model-check thread: hash `bytes` and, when they have `expectedSha256`, inspect them. */
export interface ModelCheckRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  /** Lower-case hex. */
  readonly expectedSha256: string;
}

/**
 * The thread's answer to request `id`: the bytes' sha256, and the model's signature when the
 * digest matched and the bytes are a valid model (`invalid`: an `InvalidOnnxModelError` message;
 * `crashed`: any other error's message).
 */
export type ModelCheckResponse =
  | { readonly id: number; readonly sha256: string; readonly outcome: 'digest-mismatch' }
  | { readonly id: number; readonly sha256: string; readonly outcome: 'inspected'; readonly info: OnnxModelInfo }
  | { readonly id: number; readonly sha256: string; readonly outcome: 'invalid'; readonly message: string }
  | { readonly id: number; readonly sha256: string; readonly outcome: 'crashed'; readonly message: string };

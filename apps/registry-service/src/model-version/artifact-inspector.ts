import type { ModelSignature } from './model-version';

/** The artifact is not a model the registry can serve; `reason` is a stable code, the message says what was wrong. */
export class InvalidArtifactError extends Error {
  override readonly name = 'InvalidArtifactError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads and checks model files (the port in front of the ONNX parser and onnxruntime). */
export abstract class ArtifactInspector {
  /**
   * The input/output signature of an ONNX model file, after proving that it decodes and that
   * the runtime loads it. Throws {@link InvalidArtifactError} otherwise.
   */
  abstract signatureOf(bytes: Uint8Array): Promise<ModelSignature>;
}

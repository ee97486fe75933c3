import { InferenceSession } from 'onnxruntime-node';

import { inspectOnnxModel } from './inspect-onnx-model';
import { InvalidOnnxModelError } from './invalid-onnx-model.error';

// Fatal only: a refusal is reported through the thrown error, not onnxruntime's stderr log.
const FATAL_LOG_LEVEL = 4;

/**
 * Proves onnxruntime accepts the model: inspects it ({@link inspectOnnxModel}), then loads it in
 * onnxruntime-node (CPU, one intra-op and one inter-op thread) and releases the session. Runs
 * no inference.
 *
 * @throws {@link InvalidOnnxModelError} with the inspection's reason; `external-data` when a
 * tensor lives in an external file (the runtime would read files next to the process, and a
 * model given as bytes has no directory); `runtime-rejected` with onnxruntime's message when it
 * refuses to load the graph (unknown operator, missing value, type mismatch, ...).
 */
export async function checkOnnxModelRuns(bytes: Uint8Array): Promise<void> {
  const info = inspectOnnxModel(bytes);
  if (info.usesExternalData) {
    throw new InvalidOnnxModelError('external-data', 'the model keeps tensor data in external files, which a model loaded from bytes cannot read');
  }
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      logSeverityLevel: FATAL_LOG_LEVEL,
      // The session is only a load check: skip weight pre-packing and the memory arena,
      // which cost more than a second on a 64 MiB model and are never used here.
      enableCpuMemArena: false,
      extra: { session: { disable_prepacking: '1' } },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidOnnxModelError('runtime-rejected', `onnxruntime refused to load it: ${detail}`, { cause: error });
  }
  await session.release();
}

import * as ort from 'onnxruntime-node';
import { type Matrix } from '../trainers/shared/matrix';
import { MODEL_INPUT, MODEL_OUTPUT, type TrainingTask } from '../trainers/shared/trainer';

/** Rows per session.run: bounded memory for large test splits. */
const BATCH_ROWS = 16_384;

/** The largest |ONNX − trainer| difference accepted (the parity bound). */
export const PARITY_TOLERANCE = 1e-5;

/** Predictions of an exported model, computed by onnxruntime-node on `x` (as FP32). */
export async function onnxPredictions(model: Uint8Array, x: Matrix, task: TrainingTask): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(Buffer.from(model), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const outputName = MODEL_OUTPUT[task];
    const chunks: Float64Array[] = [];
    for (let start = 0; start < x.rows; start += BATCH_ROWS) {
      const rows = Math.min(BATCH_ROWS, x.rows - start);
      const input = Float32Array.from(x.values.subarray(start * x.cols, (start + rows) * x.cols));
      const result = await session.run({ [MODEL_INPUT]: new ort.Tensor('float32', input, [rows, x.cols]) });
      const output = result[outputName];
      if (output === undefined) throw new Error(`the model has no output "${outputName}"`);
      chunks.push(Float64Array.from(output.data as Float32Array));
    }
    const all = new Float64Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  } finally {
    await session.release();
  }
}

/** The largest absolute difference between two equally long prediction vectors (Infinity when lengths differ or a value is not finite). */
export function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i += 1) {
    const diff = Math.abs((a[i] as number) - (b[i] as number));
    if (!(diff <= max)) max = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
  }
  return max;
}

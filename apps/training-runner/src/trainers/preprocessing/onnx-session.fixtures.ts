import { InferenceSession, Tensor } from 'onnxruntime-node';

import { type Matrix, toFloat32 } from '../shared/matrix';
import { MODEL_INPUT } from '../shared/trainer';

/**
 * Runs an exported model in onnxruntime-node (CPU, one thread) on the float32-rounded `x` fed as
 * `features`, and returns the named output (row-major). Tests compare it with a trainer's `predict`.
 */
export async function runOnnxModel(bytes: Uint8Array, x: Matrix, outputName: string): Promise<Float64Array> {
  const session = await InferenceSession.create(Buffer.from(bytes), { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const feeds = { [MODEL_INPUT]: new Tensor('float32', toFloat32(x), [x.rows, x.cols]) };
    const results = await session.run(feeds);
    const output = results[outputName];
    if (output === undefined) throw new Error(`the model has no output "${outputName}"`);
    return Float64Array.from(output.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** The largest absolute difference between two equally long arrays (NaN on either side counts as infinite). */
export function maxAbsoluteDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  if (left.length !== right.length) throw new RangeError(`lengths differ: ${left.length} vs ${right.length}`);
  let max = 0;
  for (let index = 0; index < left.length; index += 1) {
    const difference = Math.abs((left[index] as number) - (right[index] as number));
    max = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : Math.max(max, difference);
  }
  return max;
}

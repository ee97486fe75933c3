import { createHash } from 'node:crypto';

import { buildLinearModel, type LinearModelSpec } from '@strata/onnx';

import { type LoadedModel, loadModel, type LoadModelInput } from './loaded-model';

/** Test fixtures: real ONNX models written with @strata/onnx. */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** score = features · [1, 2, 3] + bias, FP32 [batch, 3] → FP32 [batch, 1]. */
export function aLinearModelBytes(overrides: Partial<LinearModelSpec> = {}): Uint8Array {
  return buildLinearModel({ weights: [[1], [2], [3]], bias: [0.5], featureCount: 3, inputName: 'features', outputName: 'score', ...overrides });
}

export function aLoadInput(overrides: Partial<LoadModelInput> = {}): LoadModelInput {
  const bytes = overrides.bytes ?? aLinearModelBytes();
  return { modelName: 'flights-delay', version: 1, sha256: sha256Of(bytes), bytes, ...overrides };
}

/** A loaded linear model whose bias is its version, so outputs tell versions apart. */
export function aLoadedLinearModel(version: number, overrides: Partial<LoadModelInput> = {}): Promise<LoadedModel> {
  return loadModel(aLoadInput({ version, bytes: aLinearModelBytes({ bias: [version] }), ...overrides }));
}

import { type OnnxModelOptions } from '@strata/onnx';

import { type OnnxExportOptions } from '../shared/trainer';

/** `producer_name` of every model the training-runner exports. */
export const ONNX_PRODUCER_NAME = 'strata-training-runner';

/** The build options of an exported model: the runner as producer, metadata sorted by key (so bytes never depend on insertion order). */
export function onnxModelOptions(options: OnnxExportOptions): OnnxModelOptions {
  const metadata = Object.fromEntries(Object.entries(options.metadata).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
  return { producerName: ONNX_PRODUCER_NAME, producerVersion: options.producerVersion ?? '', metadata };
}

// The model-check worker thread: sha256 and ONNX inspection of a model's bytes, off the serving
// event loop (decoding a 4 MB tree ensemble with protobufjs takes ~0.5 s of CPU).
import { inspectOnnxModel, InvalidOnnxModelError } from '@strata/onnx';
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

import type { ModelCheckRequest, ModelCheckResponse } from './model-check.protocol';
import { lowerThreadPriority } from './thread-priority';

// A check is never urgent, serving is: on a busy box (2 cores, a hog, the other services) the
// kernel must run the event loop first, or a load's off-loop CPU still shows as serving lag.
lowerThreadPriority();

function check(request: ModelCheckRequest): ModelCheckResponse {
  const { id, bytes } = request;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== request.expectedSha256) return { id, sha256, outcome: 'digest-mismatch' };
  try {
    return { id, sha256, outcome: 'inspected', info: inspectOnnxModel(bytes) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return error instanceof InvalidOnnxModelError ? { id, sha256, outcome: 'invalid', message } : { id, sha256, outcome: 'crashed', message };
  }
}

parentPort?.on('message', (request: ModelCheckRequest) => parentPort?.postMessage(check(request)));

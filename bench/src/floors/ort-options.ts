import type { InferenceSession } from 'onnxruntime-node';

/** The session options inference-service uses (one intra-op thread, no spinning): D_ort and D_chain run the model as it does. */
export const ORT_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  logSeverityLevel: 4,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

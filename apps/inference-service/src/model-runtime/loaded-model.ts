import { performance } from 'node:perf_hooks';

import { type OnnxModelInfo, type TensorSpec } from '@strata/onnx';
import { InferenceSession, type Tensor } from 'onnxruntime-node';

import { type BatchingOptions, DynamicBatcher } from './dynamic-batcher';
import { checkModelBytes, type ModelCheck } from './model-check';
import { InvalidInputError, ModelLoadError, type ModelLoadFailureReason, ModelUnavailableError } from './model-runtime.errors';
import { describeSpec, fromOrtTensor, type InferenceTensor, isServableDatatype, toOrtTensor, zeroTensor } from './tensors';

/** Default limit on the rows (first dimension) of one request's inputs. */
export const DEFAULT_MAX_BATCH_ROWS = 10_000;

// Fatal only: failures reach callers as thrown errors (ModelLoadError, a failed run), not onnxruntime's stderr log.
const FATAL_LOG_LEVEL = 4;

/** onnxruntime thread pools for one session. */
export interface SessionThreads {
  intraOp: number;
  interOp: number;
}

export type { BatchingOptions } from './dynamic-batcher';

/** One request's outputs and where its time went (see {@link LoadedModel.predictTimed}). */
export interface TimedPrediction {
  outputs: Record<string, InferenceTensor>;
  /** Time spent queued for the session (waiting for a batch to fill or the previous run), in ms. */
  queueMs: number;
  /** Duration of the session run that produced the outputs, in ms. */
  inferenceMs: number;
  /** Rows (first dimension) of that run: the request's own rows plus those batched with it. */
  batchRows: number;
}

/** What {@link loadModel} needs: one model version's verified-to-be bytes. */
export interface LoadModelInput {
  modelName: string;
  version: number;
  /** The registry's sha256 of the artifact, as bare hex (case-insensitive). */
  sha256: string;
  bytes: Uint8Array;
  /** Default one intra-op and one inter-op thread (sized for a 2-core box serving several models). */
  threads?: SessionThreads;
  /** Default {@link DEFAULT_MAX_BATCH_ROWS}. */
  maxBatchRows?: number;
  /** Default: no batching (each request runs the session on its own, concurrently). */
  batching?: BatchingOptions;
  /** Clock for `loadedAt`; default `() => new Date()`. */
  now?: () => Date;
}

/** A model's inputs and outputs, as `inspectOnnxModel` (`@strata/onnx`) read them. */
export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** A hold on a {@link LoadedModel}: the model is not disposed while any lease is unreleased. */
export interface ModelLease {
  readonly model: LoadedModel;
  /** Ends the hold; calling it again does nothing. */
  release(): void;
}

/**
 * Verifies, inspects, loads and warms one model version, and returns it only when a warm-up
 * inference succeeded — a model that cannot serve never reaches traffic.
 *
 * Requests keep being served meanwhile: the sha256 and the ONNX inspection (a protobufjs decode,
 * ~0.5 s of CPU for a 4 MB tree ensemble) run on a worker thread. Only onnxruntime's session
 * creation and the warm-up run block the event loop (native and synchronous in
 * onnxruntime-node 1.30, a few ms for the models the platform trains; see bench/README.md).
 *
 * @throws {@link ModelLoadError} with reason `DIGEST_MISMATCH`, `INVALID_MODEL`, `EXTERNAL_DATA`,
 * `CUSTOM_OPS`, `RUNTIME_REJECTED` or `WARMUP_FAILED`; nothing is left allocated when it throws.
 */
export async function loadModel(input: LoadModelInput): Promise<LoadedModel> {
  const { modelName, version, bytes } = input;
  const fail = (reason: ModelLoadFailureReason, detail: string, cause?: unknown): ModelLoadError =>
    new ModelLoadError(reason, modelName, version, detail, cause === undefined ? undefined : { cause });

  const expected = input.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(expected)) throw fail('DIGEST_MISMATCH', `the expected sha256 "${input.sha256}" is not 64 hex characters`);
  const info = inspected(await checkModelBytes(bytes, expected), expected, fail);
  const threads = input.threads ?? { intraOp: 1, interOp: 1 };
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads.intraOp,
      interOpNumThreads: threads.interOp,
      logSeverityLevel: FATAL_LOG_LEVEL,
      // Idle pool threads must not spin: on a small box they steal the CPU the event loop needs.
      // The Node binding flattens `extra` into session config keys (session.intra_op.allow_spinning).
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw fail('RUNTIME_REJECTED', `onnxruntime refused to create a session: ${messageOf(error)}`, error);
  }

  const model = new LoadedModel(modelName, version, expected, { inputs: info.inputs, outputs: info.outputs }, session, {
    maxBatchRows: input.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
    loadedAt: (input.now ?? (() => new Date()))(),
    ...(input.batching === undefined ? {} : { batching: input.batching }),
  });
  try {
    await model.warmUp();
  } catch (error) {
    model.retire();
    await model.whenDisposed();
    throw fail('WARMUP_FAILED', `the warm-up inference failed: ${messageOf(error)}`, error);
  }
  return model;
}

function inspected(check: ModelCheck, expected: string, fail: (reason: ModelLoadFailureReason, detail: string, cause?: unknown) => ModelLoadError): OnnxModelInfo {
  switch (check.outcome) {
    case 'digest-mismatch':
      throw fail('DIGEST_MISMATCH', `expected sha256 ${expected}, the bytes have ${check.sha256}`);
    case 'invalid':
      throw fail('INVALID_MODEL', check.message);
    case 'crashed':
      throw new Error(`inspecting model bytes failed: ${check.message}`);
    case 'inspected':
      break;
  }
  const { info } = check;
  if (info.usesExternalData) throw fail('EXTERNAL_DATA', 'the model keeps tensor data in external files, which a model loaded from bytes cannot read');
  if (info.customDomains.length > 0) throw fail('CUSTOM_OPS', `the model uses custom operator domains: ${info.customDomains.join(', ')}`);
  const unservable = [...info.inputs, ...info.outputs].find((spec) => !isServableDatatype(spec.datatype));
  if (unservable !== undefined) throw fail('INVALID_MODEL', `"${unservable.name}" is ${unservable.datatype}, which this server cannot serve yet`);
  return info;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One warm onnxruntime session of one model version. Serve it through leases
 * ({@link LoadedModel.acquire}); {@link LoadedModel.retire} stops new leases and disposes the
 * session once the last lease is released, so a swap never cuts a running request.
 */
export class LoadedModel {
  private readonly inputsByName: ReadonlyMap<string, TensorSpec>;
  private readonly maxBatchRows: number;
  private readonly batcher: DynamicBatcher | undefined;
  readonly loadedAt: Date;
  private leases = 0;
  // Predictions queued or running: like leases, they keep the session from being released.
  private pending = 0;
  private retired = false;
  private disposing = false;
  private disposalFailure: unknown;
  private markDisposed: () => void = () => undefined;
  private readonly disposed = new Promise<void>((resolve) => {
    this.markDisposed = resolve;
  });

  /** @internal Use {@link loadModel}: it verifies and warms the session first. */
  constructor(
    readonly modelName: string,
    readonly version: number,
    readonly sha256: string,
    readonly signature: ModelSignature,
    private readonly session: InferenceSession,
    options: { maxBatchRows: number; loadedAt: Date; batching?: BatchingOptions },
  ) {
    this.inputsByName = new Map(signature.inputs.map((spec) => [spec.name, spec]));
    this.maxBatchRows = options.maxBatchRows;
    this.loadedAt = options.loadedAt;
    this.batcher = options.batching === undefined ? undefined : new DynamicBatcher((feeds) => this.session.run(feeds), options.batching);
  }

  /** Requests holding this model right now. */
  get inFlight(): number {
    return this.leases;
  }

  isRetired(): boolean {
    return this.retired;
  }

  /** True once the session is released (or being released): it will never run again. */
  isDisposed(): boolean {
    return this.disposing;
  }

  /** The error onnxruntime gave when releasing the session, if any. */
  get disposalError(): unknown {
    return this.disposalFailure;
  }

  /**
   * Takes a hold on the model for one request.
   *
   * @throws {@link ModelUnavailableError} when the model is retired.
   */
  acquire(): ModelLease {
    if (this.retired) throw new ModelUnavailableError(this.modelName, undefined, `version ${this.version} is retired`);
    this.leases++;
    let released = false;
    return {
      model: this,
      release: () => {
        if (released) return;
        released = true;
        this.leases--;
        this.disposeIfUnused();
      },
    };
  }

  /** Stops new leases; the session is released now if no lease is held, else when the last one is released. */
  retire(): void {
    this.retired = true;
    this.disposeIfUnused();
  }

  /** Resolves when the session has been released; never rejects (see {@link disposalError}). */
  whenDisposed(): Promise<void> {
    return this.disposed;
  }

  /**
   * Runs one inference after checking every input against the signature.
   *
   * @throws {@link InvalidInputError} naming the first input that is unknown, missing or does not
   * match (datatype, rank, fixed dimensions, data length, row limit, values); the model is not run.
   * @throws {@link ModelUnavailableError} when the session is already released.
   */
  async predict(inputs: Readonly<Record<string, InferenceTensor>>): Promise<Record<string, InferenceTensor>> {
    return (await this.predictTimed(inputs)).outputs;
  }

  /**
   * {@link LoadedModel.predict} with timings: the request is checked first (a bad request fails
   * alone), then queued for the model's dynamic batcher when batching is on, and its own rows of
   * the batch's outputs are returned. A queued request keeps the session alive like a lease.
   *
   * @throws {@link InvalidInputError} and {@link ModelUnavailableError} as {@link LoadedModel.predict}.
   */
  async predictTimed(inputs: Readonly<Record<string, InferenceTensor>>): Promise<TimedPrediction> {
    const feeds = this.feedsFor(inputs);
    if (this.disposing) throw new ModelUnavailableError(this.modelName, undefined, `version ${this.version} is released`);
    this.pending++;
    try {
      if (this.batcher !== undefined) {
        const { outputs, ...timings } = await this.batcher.submit(feeds);
        return { outputs: this.fromOrt(outputs), ...timings };
      }
      const started = performance.now();
      const outputs = await this.run(feeds);
      const rows = Object.values(feeds)[0]?.dims[0] ?? 1;
      return { outputs, queueMs: 0, inferenceMs: performance.now() - started, batchRows: rows };
    } finally {
      this.pending--;
      this.disposeIfUnused();
    }
  }

  /** @internal Runs the session once on zeros shaped by the signature (dynamic dimensions = 1). */
  async warmUp(): Promise<void> {
    const feeds: Record<string, Tensor> = {};
    for (const spec of this.signature.inputs) feeds[spec.name] = zeroTensor(spec);
    await this.run(feeds);
  }

  private feedsFor(inputs: Readonly<Record<string, InferenceTensor>>): Record<string, Tensor> {
    const expectedNames = this.signature.inputs.map((spec) => `"${spec.name}"`).join(', ');
    for (const name of Object.keys(inputs)) {
      if (!this.inputsByName.has(name)) throw new InvalidInputError(name, `unknown input, expected only ${expectedNames}`);
    }
    const feeds: Record<string, Tensor> = {};
    for (const spec of this.signature.inputs) {
      const input = inputs[spec.name];
      if (input === undefined) throw new InvalidInputError(spec.name, `missing, expected ${describeSpec(spec)}`);
      feeds[spec.name] = toOrtTensor(spec, input, this.maxBatchRows);
    }
    return feeds;
  }

  private async run(feeds: Record<string, Tensor>): Promise<Record<string, InferenceTensor>> {
    if (this.disposing) throw new ModelUnavailableError(this.modelName, undefined, `version ${this.version} is released`);
    return this.fromOrt(await this.session.run(feeds));
  }

  private fromOrt(results: Record<string, Tensor>): Record<string, InferenceTensor> {
    const outputs: Record<string, InferenceTensor> = {};
    for (const [name, tensor] of Object.entries(results)) outputs[name] = fromOrtTensor(name, tensor);
    return outputs;
  }

  private disposeIfUnused(): void {
    if (this.retired && this.leases === 0 && this.pending === 0) this.dispose();
  }

  private dispose(): void {
    if (this.disposing) return;
    this.disposing = true;
    void this.session
      .release()
      .catch((error: unknown) => {
        this.disposalFailure = error;
      })
      .finally(this.markDisposed);
  }
}

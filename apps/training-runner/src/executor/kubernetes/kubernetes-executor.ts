import { setTimeout as delay } from 'node:timers/promises';
import type { KubernetesJobsApi, KubernetesJobState } from './kubernetes-jobs-api';
import { buildTrainingJobManifest, type KubernetesExecutorConfig, trainingJobName, type TrainingJobRunOptions } from './training-job-manifest';

/** Tuning of {@link KubernetesExecutor}; tests shorten the interval. */
export interface KubernetesExecutorOptions {
  /** Time between two status reads; default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** Status reads that may fail in a row (API server blips) before `run` gives up; default 5. */
  readonly maxConsecutiveReadErrors?: number;
  /** Progress lines (`created job=...`, `job ... failed reason=DeadlineExceeded`). */
  readonly log?: (message: string) => void;
}

/**
 * Runs a training job as a Kubernetes Job (the `kubernetes` executor): creates the Job — or
 * adopts it when a previous runner (crashed, restarted) already created it —, polls it until
 * it succeeds or fails, and deletes it when the run is aborted (cancellation).
 */
export class KubernetesExecutor {
  private readonly pollIntervalMs: number;
  private readonly maxConsecutiveReadErrors: number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly api: KubernetesJobsApi,
    private readonly config: KubernetesExecutorConfig,
    options: KubernetesExecutorOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.maxConsecutiveReadErrors = options.maxConsecutiveReadErrors ?? 5;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Runs the job to its end. Resolves `succeeded` or `failed` (a pod failure, the deadline of
   * `timeoutSeconds`, or the Job deleted by someone else).
   * @throws `signal.reason` after deleting the Job when `signal` aborts; the API's error when
   * creating fails or status reads keep failing.
   */
  async run(jobId: string, options: TrainingJobRunOptions, signal: AbortSignal): Promise<'succeeded' | 'failed'> {
    signal.throwIfAborted();
    const { namespace } = this.config;
    const name = trainingJobName(jobId);
    const manifest = buildTrainingJobManifest({ ...this.config, ...options, jobId });
    try {
      const created = await this.api.create(namespace, manifest);
      this.log(created === 'created' ? `created kubernetes job=${name} namespace=${namespace}` : `adopted existing kubernetes job=${name} namespace=${namespace}`);
      const state = await this.follow(namespace, name, signal);
      this.log(`kubernetes job=${name} ${describe(state)}`);
      return state === undefined ? 'failed' : (state.phase as 'succeeded' | 'failed');
    } catch (error) {
      if (!signal.aborted) throw error;
      await this.deleteAfterAbort(namespace, name);
      throw signal.reason;
    }
  }

  /** Polls until the Job finishes (its final state) or disappears (undefined). */
  private async follow(namespace: string, name: string, signal: AbortSignal): Promise<KubernetesJobState | undefined> {
    let failedReads = 0;
    for (;;) {
      signal.throwIfAborted();
      try {
        const state = await this.api.read(namespace, name);
        failedReads = 0;
        if (state === undefined || state.phase === 'succeeded' || state.phase === 'failed') return state;
      } catch (error) {
        failedReads += 1;
        if (failedReads >= this.maxConsecutiveReadErrors) throw error;
        this.log(`reading kubernetes job=${name} failed (${failedReads}/${this.maxConsecutiveReadErrors}): ${String(error)}`);
      }
      // Rejects with an AbortError as soon as the signal aborts, so cancellation does not wait a poll interval.
      await delay(this.pollIntervalMs, undefined, { signal });
    }
  }

  private async deleteAfterAbort(namespace: string, name: string): Promise<void> {
    try {
      await this.api.delete(namespace, name);
      this.log(`deleted kubernetes job=${name} namespace=${namespace} (cancelled)`);
    } catch (error) {
      // The abort is what the caller must see; a Job left behind still ends at its deadline and TTL.
      this.log(`deleting kubernetes job=${name} namespace=${namespace} failed: ${String(error)}`);
    }
  }
}

function describe(state: KubernetesJobState | undefined): string {
  if (state === undefined) return 'disappeared before finishing';
  const details = [state.reason && `reason=${state.reason}`, state.message && `message=${JSON.stringify(state.message)}`].filter(Boolean).join(' ');
  return details ? `${state.phase} ${details}` : state.phase;
}

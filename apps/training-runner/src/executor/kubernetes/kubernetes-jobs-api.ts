import type { V1Job } from '@kubernetes/client-node';

/** Where a Kubernetes Job is, reduced to what the executor acts on. */
export interface KubernetesJobState {
  readonly phase: 'pending' | 'running' | 'succeeded' | 'failed';
  /** The condition reason of a finished Job, e.g. `DeadlineExceeded`, `BackoffLimitExceeded`. */
  readonly reason?: string;
  readonly message?: string;
}

/** The few batch/v1 Job calls the executor makes (a port; the real one is in kubernetes-api.ts). */
export interface KubernetesJobsApi {
  /** Creates the Job; `exists` when a Job of that name is already there (AlreadyExists). */
  create(namespace: string, job: V1Job): Promise<'created' | 'exists'>;
  /** The Job's state; undefined when there is no such Job. */
  read(namespace: string, name: string): Promise<KubernetesJobState | undefined>;
  /** Deletes the Job and its pods; no error when it is already gone. */
  delete(namespace: string, name: string): Promise<void>;
}

/**
 * The state of a Job object from its status: a `Complete`/`SuccessCriteriaMet` condition is
 * success, `Failed`/`FailureTarget` is failure; otherwise the pod counts (backoffLimit 0 makes
 * one failed pod final).
 */
export function jobStateOf(job: V1Job): KubernetesJobState {
  const status = job.status ?? {};
  for (const condition of status.conditions ?? []) {
    if (condition.status !== 'True') continue;
    const details = { ...(condition.reason ? { reason: condition.reason } : {}), ...(condition.message ? { message: condition.message } : {}) };
    if (condition.type === 'Complete' || condition.type === 'SuccessCriteriaMet') return { phase: 'succeeded', ...details };
    if (condition.type === 'Failed' || condition.type === 'FailureTarget') return { phase: 'failed', ...details };
  }
  if ((status.succeeded ?? 0) > 0) return { phase: 'succeeded' };
  if ((status.failed ?? 0) > 0) return { phase: 'failed' };
  return { phase: (status.active ?? 0) > 0 ? 'running' : 'pending' };
}

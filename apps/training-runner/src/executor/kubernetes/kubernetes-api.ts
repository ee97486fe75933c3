// The only file that loads @kubernetes/client-node, and only inside connectKubernetesJobsApi:
// the package is ESM-only, which Node 20 can require() but Jest's CommonJS sandbox cannot,
// so everything else (manifest, executor, this adapter) stays testable without it.
import type { V1Job } from '@kubernetes/client-node';
import { jobStateOf, type KubernetesJobsApi, type KubernetesJobState } from './kubernetes-jobs-api';

/** The BatchV1Api calls used here (structural, so tests can pass a fake client). */
export interface BatchJobsClient {
  createNamespacedJob(request: { namespace: string; body: V1Job }): Promise<unknown>;
  readNamespacedJobStatus(request: { name: string; namespace: string }): Promise<V1Job>;
  deleteNamespacedJob(request: { name: string; namespace: string; propagationPolicy?: string }): Promise<unknown>;
}

const HTTP_NOT_FOUND = 404;
const HTTP_CONFLICT = 409;

/** {@link KubernetesJobsApi} over the official client's BatchV1Api. */
export class BatchV1JobsApi implements KubernetesJobsApi {
  constructor(private readonly client: BatchJobsClient) {}

  async create(namespace: string, job: V1Job): Promise<'created' | 'exists'> {
    try {
      await this.client.createNamespacedJob({ namespace, body: job });
      return 'created';
    } catch (error) {
      if (httpStatusOf(error) === HTTP_CONFLICT) return 'exists';
      throw error;
    }
  }

  async read(namespace: string, name: string): Promise<KubernetesJobState | undefined> {
    try {
      return jobStateOf(await this.client.readNamespacedJobStatus({ name, namespace }));
    } catch (error) {
      if (httpStatusOf(error) === HTTP_NOT_FOUND) return undefined;
      throw error;
    }
  }

  async delete(namespace: string, name: string): Promise<void> {
    try {
      // Background propagation: the Job goes now, its pods (the running trainer gets SIGTERM) right after.
      await this.client.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if (httpStatusOf(error) !== HTTP_NOT_FOUND) throw error;
    }
  }
}

/** Where the client finds its credentials: the pod's service account, or KUBECONFIG / ~/.kube/config (then in-cluster). */
export type KubeConfigSource = 'cluster' | 'default';

/** A {@link KubernetesJobsApi} on a real cluster; loads @kubernetes/client-node on first use. */
export async function connectKubernetesJobsApi(source: KubeConfigSource = 'default'): Promise<KubernetesJobsApi> {
  const k8s = await import('@kubernetes/client-node');
  const kubeConfig = new k8s.KubeConfig();
  if (source === 'cluster') kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  return new BatchV1JobsApi(kubeConfig.makeApiClient(k8s.BatchV1Api));
}

/** The HTTP status of the client's ApiException (its `code`), matched by shape so the class need not be loaded. */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

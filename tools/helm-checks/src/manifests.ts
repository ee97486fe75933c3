import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { parseAllDocuments } from 'yaml';

/** The metadata every rendered object is checked for. */
export interface ManifestMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One rendered Kubernetes object (schema-checked separately, by validate-manifests.mjs). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
  [field: string]: unknown;
}

/** Parses the output of `helm template` into its objects (empty documents dropped). */
export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${document.errors.map((e) => e.message).join('; ')}`);
    const object = document.toJS() as Manifest | null;
    if (object === null || object === undefined) continue;
    manifests.push({ ...object, metadata: { ...object.metadata, name: String(object.metadata?.name ?? '') } });
  }
  return manifests;
}

/** "Deployment/strata-gateway". */
export function objectId(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}

/** The objects of one kind, typed as the Kubernetes model of that kind. */
export function ofKind<T>(manifests: readonly Manifest[], kind: string): (Manifest & T)[] {
  return manifests.filter((m) => m.kind === kind) as (Manifest & T)[];
}

/** A Deployment, Job or bare Pod (a `helm test` hook): something that runs containers. */
export interface Workload {
  manifest: Manifest;
  kind: 'Deployment' | 'Job' | 'Pod';
  podLabels: Record<string, string>;
  podSpec: IPodSpec;
}

/** Every Deployment, Job and Pod, with its pod spec. */
export function workloads(manifests: readonly Manifest[]): Workload[] {
  const result: Workload[] = [];
  for (const deployment of ofKind<IDeployment>(manifests, 'Deployment')) {
    const template = deployment.spec?.template;
    result.push({ manifest: deployment, kind: 'Deployment', podLabels: template?.metadata?.labels ?? {}, podSpec: template?.spec ?? { containers: [] } });
  }
  for (const job of ofKind<IJob>(manifests, 'Job')) {
    const template = job.spec?.template;
    result.push({ manifest: job, kind: 'Job', podLabels: template?.metadata?.labels ?? {}, podSpec: template?.spec ?? { containers: [] } });
  }
  for (const pod of ofKind<IPod>(manifests, 'Pod')) {
    result.push({ manifest: pod, kind: 'Pod', podLabels: pod.metadata.labels ?? {}, podSpec: pod.spec ?? { containers: [] } });
  }
  return result;
}

/** A container of a pod, and whether it is an init container. */
export interface PodContainer {
  container: IContainer;
  init: boolean;
}

/** The containers and init containers of a pod spec. */
export function podContainers(podSpec: IPodSpec): PodContainer[] {
  return [...(podSpec.initContainers ?? []).map((container) => ({ container, init: true })), ...podSpec.containers.map((container) => ({ container, init: false }))];
}

/** Where a container's environment variable comes from. */
export type EnvSource =
  | { kind: 'value'; value: string; origin: string }
  | { kind: 'secret'; secret: string; key: string; origin: string }
  | { kind: 'other'; origin: string };

/**
 * A container's environment as the kubelet would build it: envFrom ConfigMaps (resolved from the
 * rendered ConfigMaps) first, then `env`, which wins. Variables from envFrom Secrets are unknown
 * here and left out.
 */
export function resolveEnv(container: IContainer, manifests: readonly Manifest[]): Map<string, EnvSource> {
  const env = new Map<string, EnvSource>();
  const configMaps = new Map(ofKind<IConfigMap>(manifests, 'ConfigMap').map((c) => [c.metadata.name, c]));
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    if (name === undefined) continue;
    const configMap = configMaps.get(name);
    if (configMap === undefined) {
      if (from.configMapRef?.optional === true) continue;
      throw new Error(`container ${container.name}: envFrom ConfigMap "${name}" is not rendered by the chart`);
    }
    for (const [key, value] of Object.entries(configMap.data ?? {})) env.set(`${from.prefix ?? ''}${key}`, { kind: 'value', value, origin: `ConfigMap/${name}` });
  }
  for (const variable of container.env ?? []) {
    const secretRef = variable.valueFrom?.secretKeyRef;
    const configMapRef = variable.valueFrom?.configMapKeyRef;
    if (variable.value !== undefined) env.set(variable.name, { kind: 'value', value: variable.value, origin: 'env' });
    else if (secretRef !== undefined) env.set(variable.name, { kind: 'secret', secret: secretRef.name ?? '', key: secretRef.key, origin: 'env' });
    else if (configMapRef !== undefined) {
      const value = configMaps.get(configMapRef.name ?? '')?.data?.[configMapRef.key];
      env.set(variable.name, value === undefined ? { kind: 'other', origin: `ConfigMap/${configMapRef.name}` } : { kind: 'value', value, origin: `ConfigMap/${configMapRef.name}` });
    } else env.set(variable.name, { kind: 'other', origin: 'env' });
  }
  return env;
}

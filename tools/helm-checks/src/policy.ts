import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { isService } from './architecture';
import { objectId, ofKind, podContainers, resolveEnv, workloads, type Manifest, type Workload } from './manifests';
import { selects } from './selectors';

/** Environment variable names that hold credentials: only ever from a Secret (secretKeyRef). */
export const SECRET_LOOKING_NAME = /DATABASE_URL|TOKEN|SECRET|PASSWORD/i;

/**
 * Variables whose value is the NAME of a Kubernetes Secret, not a credential: training-runner's
 * kubernetes executor hands these Secrets to the training Job pods it creates
 * (apps/training-runner/src/config/training.config.ts). Their values must be object names.
 */
export const SECRET_NAME_VARIABLES: ReadonlySet<string> = new Set(['KUBERNETES_DATABASE_SECRET', 'KUBERNETES_REGISTRY_TOKEN_SECRET']);

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether a variable with a literal value looks like a credential written in plain text. */
export function looksLikePlainCredential(name: string, value: string | undefined): boolean {
  if (!SECRET_LOOKING_NAME.test(name)) return false;
  if (SECRET_NAME_VARIABLES.has(name) && value !== undefined && (value === '' || (value.length <= 253 && DNS_SUBDOMAIN.test(value)))) return false;
  return true;
}

/** Labels every rendered object carries (values checked where they are known). */
const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/part-of', 'helm.sh/chart', 'app.kubernetes.io/managed-by'];

/** What the policy needs to know about the render besides its objects. */
export interface PolicyContext {
  /** Prefix of every message: "gateway with ci/production-values.yaml". */
  label: string;
  /** The Helm release name (the app.kubernetes.io/instance label). */
  release: string;
  /** The service chart rendered, or undefined for the umbrella chart (any of the five). */
  service: string | undefined;
}

/**
 * Every policy violation of one render, one message each, naming the render, the object and the
 * container. Empty when the render follows the platform's rules.
 */
export function policyViolations(manifests: readonly Manifest[], context: PolicyContext): string[] {
  const violations: string[] = [];
  const report = (subject: string, message: string): void => {
    violations.push(`${context.label}: ${subject}: ${message}`);
  };
  checkLabels(manifests, context, report);
  for (const workload of workloads(manifests)) {
    checkPodSecurity(workload, report);
    checkEnvironment(workload, manifests, report);
    if (workload.kind === 'Deployment') checkDeployment(workload, manifests, report);
  }
  for (const manifest of manifests) {
    if (manifest.kind === 'Secret') report(objectId(manifest), 'the charts never create a Secret (reference an existing one through secretKeyRef)');
    if (manifest.kind === 'ConfigMap') {
      for (const [key, value] of Object.entries((manifest.data as Record<string, string> | undefined) ?? {})) {
        if (looksLikePlainCredential(key, value)) report(objectId(manifest), `key ${key} looks like a credential; it belongs in a Secret, referenced by secretKeyRef`);
      }
    }
  }
  checkServices(manifests, report);
  return violations;
}

type Report = (subject: string, message: string) => void;

function checkLabels(manifests: readonly Manifest[], context: PolicyContext, report: Report): void {
  for (const manifest of manifests) {
    const labels = manifest.metadata.labels ?? {};
    const missing = REQUIRED_LABELS.filter((label) => labels[label] === undefined);
    if (missing.length > 0) report(objectId(manifest), `missing labels ${missing.join(', ')}`);
    const name = labels['app.kubernetes.io/name'];
    if (name !== undefined && (context.service === undefined ? !isService(name) : name !== context.service)) {
      report(objectId(manifest), `label app.kubernetes.io/name is "${name}", expected ${context.service ?? 'one of the five services'}`);
    }
    if (labels['app.kubernetes.io/instance'] !== undefined && labels['app.kubernetes.io/instance'] !== context.release) {
      report(objectId(manifest), `label app.kubernetes.io/instance is "${labels['app.kubernetes.io/instance']}", expected the release name "${context.release}"`);
    }
    if (labels['app.kubernetes.io/part-of'] !== undefined && labels['app.kubernetes.io/part-of'] !== 'strata') {
      report(objectId(manifest), `label app.kubernetes.io/part-of is "${labels['app.kubernetes.io/part-of']}", expected "strata"`);
    }
  }
  for (const workload of workloads(manifests)) {
    if (workload.kind === 'Pod') continue;
    const expected = workload.kind === 'Deployment' ? 'server' : 'migrations';
    for (const labels of [workload.manifest.metadata.labels ?? {}, workload.podLabels]) {
      if (labels['app.kubernetes.io/component'] !== expected) {
        report(objectId(workload.manifest), `label app.kubernetes.io/component is "${labels['app.kubernetes.io/component']}" (object or pod template), expected "${expected}"`);
      }
    }
  }
}

function checkPodSecurity({ manifest, podSpec }: Workload, report: Report): void {
  const pod = podSpec.securityContext ?? {};
  for (const { container, init } of podContainers(podSpec)) {
    const subject = `${objectId(manifest)} ${init ? 'initContainer' : 'container'} ${container.name}`;
    const security = container.securityContext ?? {};
    if ((security.runAsNonRoot ?? pod.runAsNonRoot) !== true) report(subject, 'does not set runAsNonRoot: true (pod or container securityContext)');
    if (security.runAsUser === 0 || (security.runAsUser === undefined && pod.runAsUser === 0)) report(subject, 'runs as user 0 (root)');
    if (security.readOnlyRootFilesystem !== true) report(subject, 'securityContext.readOnlyRootFilesystem is not true');
    if (security.allowPrivilegeEscalation !== false) report(subject, 'securityContext.allowPrivilegeEscalation is not false');
    if (security.privileged === true) report(subject, 'securityContext.privileged is true');
    if (!(security.capabilities?.drop ?? []).includes('ALL')) report(subject, 'securityContext.capabilities.drop does not include ALL');
    if ((security.capabilities?.add ?? []).length > 0) report(subject, `securityContext.capabilities.add is ${JSON.stringify(security.capabilities?.add)}`);
    const seccomp = security.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault') report(subject, `seccompProfile.type is ${seccomp ?? 'unset'} (pod and container), expected RuntimeDefault`);
    const resources = container.resources ?? {};
    if (resources.requests?.memory === undefined) report(subject, 'resources.requests.memory is unset');
    if (resources.limits?.memory === undefined) report(subject, 'resources.limits.memory is unset');
    if (resources.requests?.cpu === undefined) report(subject, 'resources.requests.cpu is unset');
  }
}

function checkEnvironment({ manifest, podSpec }: Workload, manifests: readonly Manifest[], report: Report): void {
  for (const { container, init } of podContainers(podSpec)) {
    const subject = `${objectId(manifest)} ${init ? 'initContainer' : 'container'} ${container.name}`;
    let env;
    try {
      env = resolveEnv(container, manifests);
    } catch (error) {
      report(subject, (error as Error).message);
      continue;
    }
    for (const [name, source] of env) {
      if (source.kind !== 'secret' && looksLikePlainCredential(name, source.kind === 'value' ? source.value : undefined)) {
        report(subject, `env ${name} (from ${source.origin}) looks like a credential but is not a secretKeyRef`);
      }
    }
  }
}

function checkDeployment(workload: Workload, manifests: readonly Manifest[], report: Report): void {
  const { manifest, podSpec, podLabels } = workload;
  const deployment = manifest as Manifest & IDeployment;
  const id = objectId(manifest);
  if (!selects(deployment.spec?.selector, podLabels)) report(id, 'spec.selector does not select its own pod template labels');
  for (const { container, init } of podContainers(podSpec)) {
    if (init) continue;
    const subject = `${id} container ${container.name}`;
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) if (container[probe] === undefined) report(subject, `has no ${probe}`);
    const wait = preStopWaitSeconds(container.lifecycle?.preStop);
    const grace = podSpec.terminationGracePeriodSeconds ?? 30;
    if (wait === 'unknown') report(subject, `lifecycle.preStop is neither a sleep action nor an exec of "sleep <seconds>"; cannot check it against terminationGracePeriodSeconds`);
    else if (grace <= wait) report(subject, `terminationGracePeriodSeconds ${grace} is not more than the preStop wait of ${wait} s: SIGTERM would never leave time to drain`);
  }
  const pdbs = ofKind<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget').filter((pdb) => selects(pdb.spec?.selector, podLabels));
  if (pdbs.length === 0) report(id, 'no PodDisruptionBudget selects its pods');
  const policies = ofKind<INetworkPolicy>(manifests, 'NetworkPolicy').filter((policy) => selects(policy.spec?.podSelector, podLabels));
  if (policies.length === 0) report(id, 'no NetworkPolicy selects its pods');
  else if (!policies.some((policy) => (policy.spec?.policyTypes ?? []).includes('Ingress') && (policy.spec?.policyTypes ?? []).includes('Egress'))) {
    report(id, `no NetworkPolicy selecting its pods has policyTypes [Ingress, Egress] (${policies.map((p) => `${p.metadata.name}: ${JSON.stringify(p.spec?.policyTypes)}`).join('; ')})`);
  }
  if (!ofKind<IService>(manifests, 'Service').some((service) => service.spec?.selector !== undefined && selects({ matchLabels: service.spec.selector }, podLabels))) {
    report(id, 'no Service selects its pods');
  }
  const account = podSpec.serviceAccountName;
  if (account === undefined || account === 'default') report(id, 'runs under the namespace\'s default ServiceAccount; give it its own');
  else if (!ofKind<IServiceAccount>(manifests, 'ServiceAccount').some((sa) => sa.metadata.name === account)) report(id, `serviceAccountName ${account} is not rendered by the chart`);
  const hpa = ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === manifest.metadata.name);
  // Helm would reset the replica count the HPA chose on every upgrade.
  if (hpa !== undefined && deployment.spec?.replicas !== undefined) report(id, `sets spec.replicas although HorizontalPodAutoscaler/${hpa.metadata.name} scales it`);
}

/** Seconds a preStop hook waits: 0 without one, 'unknown' when it is not a plain sleep. */
export function preStopWaitSeconds(preStop: { exec?: { command?: string[] }; sleep?: { seconds: number } } | undefined): number | 'unknown' {
  if (preStop === undefined) return 0;
  if (preStop.sleep !== undefined) return preStop.sleep.seconds;
  const command = (preStop.exec?.command ?? []).join(' ');
  const match = /(?:^|[\s;&|/])sleep\s+(\d+(?:\.\d+)?)s?(?:$|[\s;&|])/.exec(command);
  return match === null ? 'unknown' : Number(match[1]);
}

function checkServices(manifests: readonly Manifest[], report: Report): void {
  for (const service of ofKind<IService>(manifests, 'Service')) {
    const ports = service.spec?.ports ?? [];
    const names = ports.map((port) => port.name);
    for (const port of ports) {
      if (port.name !== 'grpc' && port.name !== 'http') report(objectId(service), `port ${port.port} is named "${port.name ?? ''}", expected grpc or http`);
    }
    const grpc = ports.find((port) => port.name === 'grpc');
    if (grpc === undefined) report(objectId(service), `has no port named grpc (ports: ${names.join(', ')})`);
    else if (grpc.appProtocol !== 'grpc') report(objectId(service), `port grpc has appProtocol ${grpc.appProtocol ?? 'unset'}, expected grpc`);
    if (!names.includes('http')) report(objectId(service), `has no port named http (ports: ${names.join(', ')})`);
  }
}

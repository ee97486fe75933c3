import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Manifest } from './manifests';
import { policyViolations, preStopWaitSeconds } from './policy';

// The rules bite: a compliant render passes, and each broken detail is reported by name.
const labels = (component?: string): Record<string, string> => ({
  'app.kubernetes.io/name': 'gateway',
  'app.kubernetes.io/instance': 'strata',
  'app.kubernetes.io/part-of': 'strata',
  'app.kubernetes.io/managed-by': 'Helm',
  'helm.sh/chart': 'gateway-0.1.0',
  ...(component === undefined ? {} : { 'app.kubernetes.io/component': component }),
});
const selector = { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/instance': 'strata', 'app.kubernetes.io/component': 'server' };

/** The objects of a compliant render a test may break. */
interface Parts {
  deployment: IDeployment;
  container: IContainer;
  configMap: IConfigMap;
  service: IService;
}
type Mutation = (parts: Parts) => unknown;

function aRender(mutate: Mutation = () => undefined): Manifest[] {
  const container: IContainer = {
    name: 'gateway',
    image: 'gateway:1',
    envFrom: [{ configMapRef: { name: 'strata-gateway' } }],
    env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'strata-gateway-db', key: 'url' } } }],
    startupProbe: { httpGet: { path: '/healthz', port: 'http' } },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
    lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'strata-gateway', labels: labels('server') },
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: labels('server') },
        spec: { serviceAccountName: 'strata-gateway', terminationGracePeriodSeconds: 20, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [container] },
      },
    },
  };
  const configMap: IConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strata-gateway', labels: labels() }, data: { INFERENCE_ADDRESS: 'strata-inference-service:50054' } };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'strata-gateway', labels: labels() },
    spec: { selector, ports: [{ name: 'grpc', port: 50050, appProtocol: 'grpc' }, { name: 'http', port: 8080 }] },
  };
  mutate({ deployment, container, configMap, service });
  return [
    deployment as Manifest,
    configMap as Manifest,
    service as Manifest,
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'strata-gateway', labels: labels() } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'strata-gateway', labels: labels() }, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'strata-gateway', labels: labels() }, spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress', 'Egress'] } },
  ];
}

const violations = (render: Manifest[]): string[] => policyViolations(render, { label: 'gateway with default values', release: 'strata', service: 'gateway' });

describe(policyViolations.name, () => {
  it('accepts a compliant render', () => {
    expect(violations(aRender())).toEqual([]);
  });

  it.each<[string, Mutation, RegExp]>([
    ['root allowed', ({ deployment }) => delete deployment.spec!.template.spec!.securityContext!.runAsNonRoot, /container gateway: does not set runAsNonRoot/],
    ['a writable root filesystem', ({ container }) => (container.securityContext!.readOnlyRootFilesystem = false), /readOnlyRootFilesystem is not true/],
    ['privilege escalation', ({ container }) => delete container.securityContext!.allowPrivilegeEscalation, /allowPrivilegeEscalation is not false/],
    ['capabilities kept', ({ container }) => (container.securityContext!.capabilities!.drop = ['NET_RAW']), /capabilities.drop does not include ALL/],
    ['no seccomp profile', ({ deployment }) => delete deployment.spec!.template.spec!.securityContext!.seccompProfile, /seccompProfile.type is unset/],
    ['no memory limit', ({ container }) => delete container.resources!.limits, /resources.limits.memory is unset/],
    ['no cpu request', ({ container }) => delete container.resources!.requests!.cpu, /resources.requests.cpu is unset/],
    ['no readiness probe', ({ container }) => delete container.readinessProbe, /has no readinessProbe/],
    ['a grace period shorter than the preStop wait', ({ deployment }) => (deployment.spec!.template.spec!.terminationGracePeriodSeconds = 5), /terminationGracePeriodSeconds 5 is not more than the preStop wait of 5 s/],
    ['a literal DATABASE_URL', ({ container }) => (container.env = [{ name: 'DATABASE_URL', value: 'postgres://u:p@db/x' }]), /env DATABASE_URL \(from env\) looks like a credential/],
    ['a token in the ConfigMap', ({ configMap }) => (configMap.data!.REGISTRY_TOKEN = 'abc'), /env REGISTRY_TOKEN \(from ConfigMap\/strata-gateway\) looks like a credential/],
    ['a Service port named otherwise', ({ service }) => (service.spec!.ports![1]!.name = 'metrics'), /port 8080 is named "metrics", expected grpc or http/],
    ['a grpc port without appProtocol', ({ service }) => delete service.spec!.ports![0]!.appProtocol, /port grpc has appProtocol unset/],
    ['a missing part-of label', ({ deployment }) => delete deployment.metadata!.labels!['app.kubernetes.io/part-of'], /Deployment\/strata-gateway: missing labels app.kubernetes.io\/part-of/],
  ])('reports %s', (_what, mutate, message) => {
    expect(violations(aRender(mutate))).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('reports a Deployment without PodDisruptionBudget or NetworkPolicy, and a rendered Secret', () => {
    const render = aRender().filter((m) => m.kind !== 'PodDisruptionBudget' && m.kind !== 'NetworkPolicy');
    render.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'oops', labels: labels() } });
    expect(violations(render)).toEqual([
      'gateway with default values: Deployment/strata-gateway: no PodDisruptionBudget selects its pods',
      'gateway with default values: Deployment/strata-gateway: no NetworkPolicy selects its pods',
      'gateway with default values: Secret/oops: the charts never create a Secret (reference an existing one through secretKeyRef)',
    ]);
  });
});

describe(preStopWaitSeconds.name, () => {
  it('reads sleep actions and sleep commands', () => {
    expect(preStopWaitSeconds(undefined)).toBe(0);
    expect(preStopWaitSeconds({ sleep: { seconds: 7 } })).toBe(7);
    expect(preStopWaitSeconds({ exec: { command: ['sleep', '5'] } })).toBe(5);
    expect(preStopWaitSeconds({ exec: { command: ['/bin/sh', '-c', 'sleep 12 && kill 1'] } })).toBe(12);
    expect(preStopWaitSeconds({ exec: { command: ['/bin/drain'] } })).toBe('unknown');
  });
});

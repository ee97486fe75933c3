import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IService } from 'kubernetes-models/v1/Service';
import { ADDRESS_VARIABLES, ARCHITECTURE_ARROWS, isService, type ServiceName } from './architecture';
import { objectId, ofKind, resolveEnv, type Manifest } from './manifests';
import { selects } from './selectors';

const NAME_LABEL = 'app.kubernetes.io/name';

/** The Deployment of each service in a render, by its app.kubernetes.io/name label. */
export function deploymentsByService(manifests: readonly Manifest[]): Map<string, Manifest & IDeployment> {
  const result = new Map<string, Manifest & IDeployment>();
  for (const deployment of ofKind<IDeployment>(manifests, 'Deployment')) {
    const name = deployment.metadata.labels?.[NAME_LABEL];
    if (name === undefined) continue;
    if (result.has(name)) throw new Error(`two Deployments for ${name}: ${result.get(name)?.metadata.name} and ${deployment.metadata.name}`);
    result.set(name, deployment);
  }
  return result;
}

/** "<Service name>:<grpc port>" of the Service in front of a Deployment's pods, or undefined. */
export function grpcAddressOf(deployment: IDeployment, manifests: readonly Manifest[]): string | undefined {
  const podLabels = deployment.spec?.template.metadata?.labels ?? {};
  for (const service of ofKind<IService>(manifests, 'Service')) {
    if (service.spec?.selector === undefined || !selects({ matchLabels: service.spec.selector }, podLabels)) continue;
    const grpc = service.spec.ports?.find((port) => port.name === 'grpc');
    if (grpc !== undefined) return `${service.metadata.name}:${grpc.port}`;
  }
  return undefined;
}

/**
 * Mismatches between the address variables in the services' environments (env and envFrom
 * ConfigMaps resolved) and the rendered Services, for every arrow of the architecture.
 */
export function wiringProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const deployments = deploymentsByService(manifests);
  for (const arrow of ARCHITECTURE_ARROWS) {
    const [caller, callee] = arrow.split(' → ') as [ServiceName, ServiceName];
    const variable = ADDRESS_VARIABLES[callee];
    if (variable === undefined) throw new Error(`${arrow}: ADDRESS_VARIABLES has no variable for ${callee}`);
    const callerDeployment = deployments.get(caller);
    const calleeDeployment = deployments.get(callee);
    if (callerDeployment === undefined || calleeDeployment === undefined) {
      problems.push(`${arrow}: no Deployment for ${callerDeployment === undefined ? caller : callee}`);
      continue;
    }
    const expected = grpcAddressOf(calleeDeployment, manifests);
    if (expected === undefined) {
      problems.push(`${arrow}: no Service with a port named grpc selects ${objectId(calleeDeployment)}'s pods`);
      continue;
    }
    const container = callerDeployment.spec?.template.spec?.containers[0];
    const source = container === undefined ? undefined : resolveEnv(container, manifests).get(variable);
    if (source === undefined) problems.push(`${arrow}: ${objectId(callerDeployment)} has no ${variable} (env or envFrom ConfigMap)`);
    else if (source.kind !== 'value') problems.push(`${arrow}: ${objectId(callerDeployment)} ${variable} is not a literal value (from ${source.origin})`);
    else if (source.value !== expected) problems.push(`${arrow}: ${objectId(callerDeployment)} ${variable}=${source.value} (from ${source.origin}), but the callee's Service is ${expected}`);
  }
  return problems;
}

/** What the NetworkPolicies let through, as arrows, plus rules that admit any pod. */
export interface NetworkArrows {
  /** "caller → callee" allowed by an ingress rule of the callee on its grpc port. */
  ingress: Set<string>;
  /** "caller → callee" allowed by an egress rule of the caller to the callee's grpc port. */
  egress: Set<string>;
  /** NetworkPolicies with an ingress rule on the grpc port from any source ("open to everyone"). */
  openIngress: string[];
}

/**
 * The gRPC arrows the NetworkPolicies allow: a rule whose peer is a podSelector on
 * app.kubernetes.io/name=<service> and whose ports include the grpc port (by name or number),
 * or all ports. The policy's owner is its podSelector's app.kubernetes.io/name.
 */
export function networkArrows(manifests: readonly Manifest[]): NetworkArrows {
  const grpcPorts = new Set<string | number>(['grpc']);
  for (const service of ofKind<IService>(manifests, 'Service')) {
    for (const port of service.spec?.ports ?? []) if (port.name === 'grpc') grpcPorts.add(port.targetPort ?? port.port).add(port.port);
  }
  const coversGrpc = (ports: { port?: number | string }[] | undefined): boolean => ports === undefined || ports.length === 0 || ports.some((p) => p.port === undefined || grpcPorts.has(p.port));
  const peerServices = (peers: { podSelector?: { matchLabels?: Record<string, string> } }[]): string[] =>
    peers.map((peer) => peer.podSelector?.matchLabels?.[NAME_LABEL]).filter((name): name is string => name !== undefined && isService(name));
  const result: NetworkArrows = { ingress: new Set(), egress: new Set(), openIngress: [] };
  for (const policy of ofKind<INetworkPolicy>(manifests, 'NetworkPolicy')) {
    const owner = policy.spec?.podSelector?.matchLabels?.[NAME_LABEL];
    if (owner === undefined) continue;
    for (const rule of policy.spec?.ingress ?? []) {
      if (!coversGrpc(rule.ports)) continue;
      if (rule.from === undefined || rule.from.length === 0) result.openIngress.push(objectId(policy));
      for (const caller of peerServices(rule.from ?? [])) if (caller !== owner) result.ingress.add(`${caller} → ${owner}`);
    }
    for (const rule of policy.spec?.egress ?? []) {
      if (!coversGrpc(rule.ports)) continue;
      for (const callee of peerServices(rule.to ?? [])) if (callee !== owner) result.egress.add(`${owner} → ${callee}`);
    }
  }
  return result;
}

/** Each migration hook Job's DATABASE_URL secret, and each service Deployment's, by service. */
export interface DatabaseSecrets {
  /** service → "secret/key" of its Deployment's DATABASE_URL. */
  deployments: Map<string, string>;
  /** Job name → its service and the "secret/key" refs of every secretKeyRef in its pod. */
  jobs: Map<string, { service: string; databaseUrl: string | undefined; secrets: string[] }>;
}

/** Where the Deployments and migration Jobs take their DATABASE_URL (and other secrets) from. */
export function databaseSecrets(manifests: readonly Manifest[]): DatabaseSecrets {
  const result: DatabaseSecrets = { deployments: new Map(), jobs: new Map() };
  for (const [service, deployment] of deploymentsByService(manifests)) {
    const container = deployment.spec?.template.spec?.containers[0];
    const source = container === undefined ? undefined : resolveEnv(container, manifests).get('DATABASE_URL');
    if (source?.kind === 'secret') result.deployments.set(service, `${source.secret}/${source.key}`);
  }
  for (const job of ofKind<IJob>(manifests, 'Job')) {
    const spec = job.spec?.template.spec;
    const secrets: string[] = [];
    let databaseUrl: string | undefined;
    for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      for (const [name, source] of resolveEnv(container, manifests)) {
        if (source.kind !== 'secret') continue;
        secrets.push(`${source.secret}/${source.key}`);
        if (name === 'DATABASE_URL') databaseUrl = `${source.secret}/${source.key}`;
      }
      for (const from of container.envFrom ?? []) if (from.secretRef?.name !== undefined) secrets.push(`${from.secretRef.name}/*`);
    }
    result.jobs.set(job.metadata.name, { service: job.metadata.labels?.[NAME_LABEL] ?? '?', databaseUrl, secrets });
  }
  return result;
}

/**
 * The CIDRs each service's server pods may reach on the database port (ipBlock peers of its
 * NetworkPolicy's egress rules), by service. With one database per service at its own address,
 * disjoint sets mean no service can reach another's database.
 */
export function databaseEgress(manifests: readonly Manifest[], databasePort = 5432): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const policy of ofKind<INetworkPolicy>(manifests, 'NetworkPolicy')) {
    const labels = policy.spec?.podSelector?.matchLabels ?? {};
    const owner = labels[NAME_LABEL];
    if (owner === undefined || labels['app.kubernetes.io/component'] !== 'server') continue;
    const cidrs = result.get(owner) ?? new Set<string>();
    for (const rule of policy.spec?.egress ?? []) {
      if (!(rule.ports ?? []).some((port) => port.port === databasePort)) continue;
      for (const peer of rule.to ?? []) if (peer.ipBlock !== undefined) cidrs.add(peer.ipBlock.cidr);
    }
    result.set(owner, cidrs);
  }
  return result;
}

import { ARCHITECTURE_ARROWS, SERVICES } from '../src/architecture';
import { ChartWorkspace, describeCase, discoverCharts, renderCases, type RenderCase } from '../src/charts';
import type { Manifest } from '../src/manifests';
import { databaseEgress, databaseSecrets, deploymentsByService, networkArrows, wiringProblems } from '../src/wiring';

// The umbrella chart installs the whole platform: five Deployments wired to each other's Services,
// NetworkPolicies that allow exactly the architecture's gRPC arrows, and each migration hook
// touching its own service's database only.
const umbrellaCases = renderCases(discoverCharts().filter((chart) => chart.role === 'umbrella'));
const table = umbrellaCases.map((c) => [describeCase(c), c] as const);

describe('the umbrella chart (deploy/helm/strata)', () => {
  let workspace: ChartWorkspace;

  beforeAll(async () => {
    workspace = await ChartWorkspace.prepare();
  }, 120_000);

  afterAll(() => workspace?.dispose());

  const render = (renderCase: RenderCase): Promise<Manifest[]> => workspace.render(renderCase);

  it('exists, with default and production values', () => {
    expect(umbrellaCases.map(describeCase)).toEqual(['strata with default values', 'strata with ci/production-values.yaml']);
  });

  it.each(table)('%s: installs the five services', async (_name, renderCase) => {
    expect([...deploymentsByService(await render(renderCase)).keys()].sort()).toEqual([...SERVICES].sort());
  });

  it.each(table)("%s: gives every caller its callee's Service name and grpc port", async (_name, renderCase) => {
    expect(wiringProblems(await render(renderCase))).toEqual([]);
  });

  it.each(table)('%s: NetworkPolicy ingress rules allow exactly the gRPC arrows of the architecture', async (_name, renderCase) => {
    const arrows = networkArrows(await render(renderCase));
    expect([...arrows.ingress].sort()).toEqual([...ARCHITECTURE_ARROWS].sort());
  });

  it.each(table)('%s: NetworkPolicy egress rules allow exactly the gRPC arrows of the architecture', async (_name, renderCase) => {
    const arrows = networkArrows(await render(renderCase));
    expect([...arrows.egress].sort()).toEqual([...ARCHITECTURE_ARROWS].sort());
  });

  it.each(table)("%s: only the gateway's grpc port is open to any caller", async (_name, renderCase) => {
    const deployments = deploymentsByService(await render(renderCase));
    const arrows = networkArrows(await render(renderCase));
    expect(arrows.openIngress).toEqual([`NetworkPolicy/${deployments.get('gateway')!.metadata.name}`]);
  });

  it('with production values, no service may reach another service\'s database (egress on 5432 to its own CIDRs only)', async () => {
    const production = umbrellaCases.find((c) => c.valuesFile !== undefined);
    const egress = databaseEgress(await render(production!));
    expect([...egress.keys()].sort()).toEqual([...SERVICES].sort());
    const owners = new Map<string, string[]>();
    for (const [service, cidrs] of egress) {
      expect({ service, cidrs: cidrs.size }).toEqual({ service, cidrs: 1 });
      for (const cidr of cidrs) owners.set(cidr, [...(owners.get(cidr) ?? []), service]);
    }
    expect([...owners].filter(([, services]) => services.length > 1)).toEqual([]);
  });

  it.each(table)("%s: each migration hook uses its own service's DATABASE_URL Secret and no other service's", async (_name, renderCase) => {
    const { deployments, jobs } = databaseSecrets(await render(renderCase));
    const problems: string[] = [];
    expect([...deployments.keys()].sort()).toEqual([...SERVICES].sort());
    expect(new Set(deployments.values()).size).toBe(deployments.size);
    const owners = new Map([...deployments].map(([service, secret]) => [secret, service]));
    for (const [job, { service, databaseUrl, secrets }] of jobs) {
      if (databaseUrl !== deployments.get(service)) problems.push(`Job/${job} (${service}): DATABASE_URL from ${databaseUrl ?? 'no secretKeyRef'}, but ${service} uses ${deployments.get(service)}`);
      for (const secret of secrets) {
        const owner = owners.get(secret);
        if (owner !== undefined && owner !== service) problems.push(`Job/${job} (${service}): reads ${secret}, the database of ${owner}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...jobs.values()].map((j) => j.service).sort()).toEqual([...SERVICES].sort());
  });
});

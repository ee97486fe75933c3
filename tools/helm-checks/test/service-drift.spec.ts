import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SERVICES } from '../src/architecture';
import { ChartWorkspace, describeCase, discoverCharts, renderCases } from '../src/charts';
import { workspaceRoot } from '../src/helm-binary';
import { resolveEnv } from '../src/manifests';
import { defaultPortsOf, dockerfileOf, RUNTIME_VARIABLES, variablesReadBy } from '../src/service-sources';
import { deploymentsByService } from '../src/wiring';

// The charts follow the services as they grow: every variable a chart sets is one the service
// reads (a misspelt or removed variable is silently ignored at run time, so it fails here), the
// ports are the services' own defaults, and the images start what the charts expect.
const serviceCases = renderCases(discoverCharts().filter((chart) => chart.role === 'service'));

describe('the charts follow the services', () => {
  let workspace: ChartWorkspace;

  beforeAll(async () => {
    workspace = await ChartWorkspace.prepare();
  }, 120_000);

  afterAll(() => workspace?.dispose());

  it.each(serviceCases.map((c) => [describeCase(c), c] as const))('%s: sets only variables the service reads', async (_name, renderCase) => {
    const service = renderCase.chart.name;
    const manifests = await workspace.render(renderCase);
    const container = deploymentsByService(manifests).get(service)?.spec?.template.spec?.containers[0];
    expect(container).toBeDefined();
    const known = new Set([...variablesReadBy(service), ...RUNTIME_VARIABLES]);
    const unknown = [...resolveEnv(container!, manifests).keys()].filter((name) => !known.has(name));
    expect({ service, unknown }).toEqual({ service, unknown: [] });
  });

  it.each([...SERVICES])('%s: chart ports = the service\'s DEFAULT_PORTS = its Dockerfile\'s EXPOSE', (service) => {
    const values = parse(readFileSync(path.join(workspaceRoot, 'deploy/helm', service, 'values.yaml'), 'utf8')) as { service: { grpcPort: number; httpPort: number } };
    const ports = defaultPortsOf(service);
    expect({ grpc: values.service.grpcPort, http: values.service.httpPort }).toEqual(ports);
    expect(dockerfileOf(service).expose).toEqual([ports.grpc, ports.http]);
  });

  it.each([...SERVICES])('%s: the image runs apps/<service>/src/main.js, the file the build writes and the migration hook runs', (service) => {
    const entry = `apps/${service}/src/main.js`;
    expect(dockerfileOf(service).cmd).toEqual(['node', entry]);
    expect(existsSync(path.join(workspaceRoot, 'apps', service, 'src/main.ts'))).toBe(true);
    const hook = readFileSync(path.join(workspaceRoot, 'deploy/helm/strata-common/templates/_migrations.tpl'), 'utf8');
    expect(hook).toContain('args: ["node", "apps/{{ .Chart.Name }}/src/main.js", "--migrate"]');
  });
});

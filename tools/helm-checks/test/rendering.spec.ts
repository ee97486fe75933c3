import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { AUTOSCALED_SERVICES, SERVICES } from '../src/architecture';
import { ChartWorkspace, describeCase, discoverCharts, forEachCase, RELEASE, renderCases, type RenderCase } from '../src/charts';
import { objectId, ofKind, type Manifest } from '../src/manifests';
import { policyViolations } from '../src/policy';
import { validateRenderedFiles, type SchemaResult } from '../src/schema-validation';
import { deploymentsByService } from '../src/wiring';

// Every application chart rendered with its defaults and each ci/*-values.yaml (plus the optional
// objects switched on): every object valid against the Kubernetes API schemas and following the
// platform's rules.
const charts = discoverCharts();
const serviceCharts = charts.filter((chart) => chart.role === 'service');
const umbrella = charts.find((chart) => chart.role === 'umbrella');
const cases = renderCases(charts);

/** Values that switch on what the defaults leave off, so its objects are validated too. */
function withOptionalObjects(renderCase: RenderCase): RenderCase {
  const prefixes = renderCase.chart.role === 'umbrella' ? SERVICES.map((service) => `${service}.`) : [''];
  return { ...renderCase, set: prefixes.flatMap((prefix) => [`${prefix}serviceMonitor.enabled=true`, `${prefix}autoscaling.enabled=true`]) };
}

const schemaCases = [...cases, ...cases.filter((c) => c.valuesFile === undefined).map(withOptionalObjects)];

describe('rendered charts', () => {
  let workspace: ChartWorkspace;
  let schemaResults: Map<string, SchemaResult[]>;

  beforeAll(async () => {
    workspace = await ChartWorkspace.prepare();
    const rendered = await forEachCase(schemaCases, (c) => workspace.templateCase(c));
    const files = schemaCases.map((c, i) => (rendered[i]!.code === 0 ? workspace.writeScratchFile(`render-${i}.yaml`, rendered[i]!.stdout) : undefined));
    const report = await validateRenderedFiles(files.filter((file): file is string => file !== undefined));
    schemaResults = new Map(schemaCases.flatMap((c, i) => (files[i] === undefined ? [] : [[describeCase(c), report[files[i]!]!]])));
  }, 120_000);

  afterAll(() => workspace?.dispose());

  const render = (renderCase: RenderCase): Promise<Manifest[]> => workspace.render(renderCase);

  it.each(schemaCases.map((c) => [describeCase(c), c]))('%s: every object is valid against the Kubernetes API schemas', async (name, renderCase) => {
    await render(renderCase); // fails with Helm's message when the chart does not render
    const results = schemaResults.get(name)!;
    expect(results.length).toBeGreaterThan(0);
    expect(results.flatMap((r) => r.errors.map((error) => `${name}: ${r.kind}/${r.name}: ${error}`))).toEqual([]);
  });

  it.each(schemaCases.map((c) => [describeCase(c), c]))('%s: follows the platform policy', async (name, renderCase) => {
    const manifests = await render(renderCase);
    const service = renderCase.chart.role === 'service' ? renderCase.chart.name : undefined;
    expect(policyViolations(manifests, { label: name, release: RELEASE, service })).toEqual([]);
  });

  it.each(cases.map((c) => [describeCase(c), c]))('%s: renders a Deployment per service it installs', async (_name, renderCase) => {
    const expected = renderCase.chart.role === 'umbrella' ? [...SERVICES] : [renderCase.chart.name];
    expect([...deploymentsByService(await render(renderCase)).keys()].sort()).toEqual(expected.sort());
  });

  it.each([...serviceCharts, ...(umbrella === undefined ? [] : [umbrella])].map((chart) => [chart.name, chart]))(
    '%s: a HorizontalPodAutoscaler for gateway and inference-service only, on by default, off with autoscaling.enabled=false',
    async (_name, chart) => {
      const services = chart.role === 'umbrella' ? [...SERVICES] : [chart.name];
      const scaled = (manifests: Manifest[]): string[] =>
        ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').map((hpa) => `${hpa.metadata.labels?.['app.kubernetes.io/name']} → ${hpa.spec?.scaleTargetRef.kind}/${hpa.spec?.scaleTargetRef.name}`);
      const deployments = deploymentsByService(await render({ chart, valuesFile: undefined }));
      const expected = services.filter((s) => (AUTOSCALED_SERVICES as readonly string[]).includes(s)).map((s) => `${s} → Deployment/${deployments.get(s)?.metadata.name}`);
      expect(scaled(await render({ chart, valuesFile: undefined })).sort()).toEqual(expected.sort());
      const prefix = chart.role === 'umbrella' ? services.map((s) => `${s}.`) : [''];
      expect(scaled(await render({ chart, valuesFile: undefined, set: prefix.map((p) => `${p}autoscaling.enabled=false`) }))).toEqual([]);
    },
  );

  it.each(cases.map((c) => [describeCase(c), c]))('%s: each service has a pre-install,pre-upgrade migration hook that runs --migrate', async (_name, renderCase) => {
    const manifests = await render(renderCase);
    const jobs = ofKind<IJob>(manifests, 'Job');
    const problems: string[] = [];
    for (const service of deploymentsByService(manifests).keys()) {
      const own = jobs.filter((job) => job.metadata.labels?.['app.kubernetes.io/name'] === service && job.metadata.labels?.['app.kubernetes.io/component'] === 'migrations');
      if (own.length !== 1) {
        problems.push(`${service}: ${own.length} migration Jobs (${own.map(objectId).join(', ')}), expected 1`);
        continue;
      }
      const job = own[0]!;
      const hooks = (job.metadata.annotations?.['helm.sh/hook'] ?? '').split(',').map((h) => h.trim());
      if (!hooks.includes('pre-install') || !hooks.includes('pre-upgrade')) problems.push(`${objectId(job)}: helm.sh/hook is "${hooks.join(',')}", expected pre-install and pre-upgrade`);
      const containers = job.spec?.template.spec?.containers ?? [];
      if (!containers.some((c) => [...(c.command ?? []), ...(c.args ?? [])].includes('--migrate'))) problems.push(`${objectId(job)}: no container runs with --migrate`);
      if (job.spec?.template.spec?.restartPolicy !== 'Never' && job.spec?.template.spec?.restartPolicy !== 'OnFailure') problems.push(`${objectId(job)}: restartPolicy ${job.spec?.template.spec?.restartPolicy}`);
    }
    expect(problems).toEqual([]);
  });

  it.each(cases.filter((c) => c.valuesFile !== undefined && (c.chart.name === 'training-runner' || c.chart.role === 'umbrella')).map((c) => [describeCase(c), c]))(
    '%s: the kubernetes executor gets a Role for batch jobs (create/get/delete, jobs/status get) bound to the runner',
    async (_name, renderCase) => {
      const manifests = await render(renderCase);
      const runner = deploymentsByService(manifests).get('training-runner')!;
      const account = runner.spec?.template.spec?.serviceAccountName;
      const roles = ofKind<IRole>(manifests, 'Role');
      const grants = roles.flatMap((role) => (role.rules ?? []).flatMap((rule) => (rule.apiGroups ?? ['']).flatMap((group) => (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${role.metadata.name}: ${group}/${resource} ${verb}`)))));
      const role = roles[0]?.metadata.name ?? '(no Role)';
      expect(grants).toEqual(expect.arrayContaining([`${role}: batch/jobs create`, `${role}: batch/jobs get`, `${role}: batch/jobs delete`, `${role}: batch/jobs/status get`]));
      expect(grants.filter((grant) => grant.includes('*'))).toEqual([]);
      const bindings = ofKind<IRoleBinding>(manifests, 'RoleBinding').map((b) => `${b.roleRef.kind}/${b.roleRef.name} → ${(b.subjects ?? []).map((s) => `${s.kind}/${s.name}`).join(',')}`);
      expect(bindings).toContain(`Role/${role} → ServiceAccount/${account}`);
      expect(manifests.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding').map(objectId)).toEqual([]);
    },
  );
});

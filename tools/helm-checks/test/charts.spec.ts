import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SERVICES } from '../src/architecture';
import { ChartWorkspace, discoverCharts, forEachCase, helmRoot, renderCases, describeCase } from '../src/charts';

// The chart layout every chart follows, and `helm lint --strict` of each chart with its default
// values and with each ci/*-values.yaml.
const charts = discoverCharts();
const applicationCharts = charts.filter((chart) => chart.role !== 'library');
const lintCases = renderCases(charts);

describe('deploy/helm', () => {
  it('has the library chart, a chart for every service and the umbrella chart', () => {
    expect(charts.map((chart) => `${chart.name} (${chart.role})`).sort()).toEqual(
      ['strata-common (library)', 'strata (umbrella)', ...SERVICES.map((service) => `${service} (service)`)].sort(),
    );
  });

  it.each(applicationCharts.map((chart) => [chart.name, chart]))('%s has values.schema.json, templates/NOTES.txt and ci/production-values.yaml', (_name, chart) => {
    const missing = ['values.yaml', 'values.schema.json', 'templates/NOTES.txt', 'ci/production-values.yaml'].filter((file) => !existsSync(path.join(helmRoot, chart.name, file)));
    expect(missing).toEqual([]);
  });

  it.each(charts.filter((chart) => chart.role === 'service').map((chart) => [chart.name, chart]))('%s depends on strata-common from file://../strata-common', (_name, chart) => {
    expect(chart.dependencies).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'strata-common', repository: 'file://../strata-common' })]));
  });

  // Helm's YAML reader keeps the last of two equal keys without a word, silently dropping the first.
  it.each(lintCases.map((c) => [path.join(c.chart.name, c.valuesFile ?? 'values.yaml')]))('%s is YAML without duplicate keys', (file) => {
    const text = readFileSync(path.join(helmRoot, file), 'utf8');
    const lines = text.split('\n');
    const errors = parseAllDocuments(text, { uniqueKeys: true }).flatMap((document) =>
      document.errors.map((e) => `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split(' at line')[0]} (${lines[(e.linePos?.[0].line ?? 0) - 1]?.trim() ?? ''})`),
    );
    expect(errors).toEqual([]);
  });

  it('has the umbrella depend on the five service charts from file://../<service>', () => {
    const umbrella = charts.find((chart) => chart.role === 'umbrella');
    expect(umbrella?.dependencies.map((d) => `${d.name} ${d.repository}`).sort()).toEqual(SERVICES.map((s) => `${s} file://../${s}`).sort());
  });
});

describe('helm lint --strict', () => {
  let workspace: ChartWorkspace;
  let lintOutput: Map<string, { code: number; output: string }>;

  beforeAll(async () => {
    workspace = await ChartWorkspace.prepare();
    const results = await forEachCase(lintCases, (c) => workspace.lint(c.chart.name, c.valuesFile));
    lintOutput = new Map(lintCases.map((c, i) => [describeCase(c), { code: results[i]!.code, output: `${results[i]!.stdout}${results[i]!.stderr}`.trim() }]));
  }, 120_000);

  afterAll(() => workspace?.dispose());

  it.each(lintCases.map((c) => [describeCase(c)]))('passes for %s', (name) => {
    const { code, output } = lintOutput.get(name)!;
    // Only the findings, so a failure reads as the list of what to fix.
    const findings = output.split('\n').filter((line) => /^\[(ERROR|WARNING)\]|^Error:/.test(line) || /^\s*- /.test(line));
    expect({ code, findings: code === 0 ? [] : findings.length > 0 ? findings : [output] }).toEqual({ code: 0, findings: [] });
  });
});

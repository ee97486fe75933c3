import path from 'node:path';
import { ChartWorkspace, discoverCharts, type ChartInfo } from '../src/charts';

// Every chart's values.schema.json refuses bad values, so `helm template`/`helm install` stop
// with a message that names the field, instead of rendering something broken.
const fixtures = path.resolve(__dirname, '../fixtures');
const charts = discoverCharts();
const serviceCharts = charts.filter((chart) => chart.role === 'service').map((chart) => [chart.name, chart] as const);
const umbrellas = charts.filter((chart) => chart.role === 'umbrella').map((chart) => [chart.name, chart] as const);

/** Helm 4 lists each schema violation as "- at '/<path>': <reason>" (and "additional properties 'x' not allowed"). */
function schemaViolations(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('- at '))
    .sort();
}

describe('values.schema.json', () => {
  let workspace: ChartWorkspace;

  beforeAll(async () => {
    workspace = await ChartWorkspace.prepare();
  }, 120_000);

  afterAll(() => workspace?.dispose());

  async function failedTemplate(chart: ChartInfo, valuesFile: string): Promise<string> {
    const result = await workspace.template(chart.name, valuesFile);
    expect({ code: result.code === 0 ? 0 : 1, stdout: result.code === 0 ? result.stdout.slice(0, 200) : '' }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr).toContain("values don't meet the specifications of the schema(s)");
    return result.stderr;
  }

  it.each(serviceCharts)('%s refuses a wrong type, an unknown key, a bad enum and a variable it does not read, naming each', async (_name, chart) => {
    const stderr = await failedTemplate(chart, path.join(fixtures, 'broken-service-values.yaml'));
    const violations = schemaViolations(stderr);
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^- at '\/replicaCount': got string, want integer/),
        expect.stringMatching(/^- at '\/logLevel': value must be one of /),
        expect.stringMatching(/^- at '': additional properties? 'replicaCuont' not allowed/),
      ]),
    );
    expect(stderr).toContain("invalid propertyName 'MAX_IN_FLIHGT'");
  });

  it.each(umbrellas)("%s refuses bad values in a service's section and an unknown top-level key", async (_name, chart) => {
    const stderr = await failedTemplate(chart, path.join(fixtures, 'broken-umbrella-values.yaml'));
    expect(stderr).toMatch(/'\/gateway\/replicaCount'|gateway:\n(- .*\n)*- at '\/replicaCount'/);
    expect(stderr).toMatch(/'\/gateway\/logLevel'|gateway:\n(- .*\n)*- at '\/logLevel'/);
    expect(stderr).toMatch(/additional properties? .*'registry-servic'.* not allowed/);
  });
});

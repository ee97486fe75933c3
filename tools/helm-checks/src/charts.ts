import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { isService } from './architecture';
import { workspaceRoot } from './helm-binary';
import { helmOrThrow, mapConcurrently, runHelm, type HelmResult } from './helm';
import { parseManifests, type Manifest } from './manifests';

/** The charts' home in the repository. */
export const helmRoot = path.join(workspaceRoot, 'deploy/helm');

/** The release name and namespace every check renders with (`helm install strata deploy/helm/strata -n strata`). */
export const RELEASE = 'strata';
export const NAMESPACE = 'strata';

/** How many Helm processes run at once (the CI box has 2 cores; Helm is mostly start-up). */
const HELM_CONCURRENCY = 4;

/** library: strata-common; service: one of the five services; umbrella: the chart of all five. */
export type ChartRole = 'library' | 'service' | 'umbrella';

/** One chart under deploy/helm/, as its Chart.yaml describes it. */
export interface ChartInfo {
  name: string;
  role: ChartRole;
  dependencies: { name: string; repository?: string }[];
  /** Values files under ci/ (e.g. "ci/production-values.yaml"), relative to the chart. */
  ciValuesFiles: string[];
}

/** A chart rendered with one values file (or the defaults: `valuesFile` undefined) and optional --set overrides. */
export interface RenderCase {
  chart: ChartInfo;
  valuesFile: string | undefined;
  /** `--set` arguments, e.g. "serviceMonitor.enabled=true". */
  set?: string[];
}

/** "gateway with ci/production-values.yaml", "strata with default values --set x=y": for failure messages. */
export function describeCase({ chart, valuesFile, set = [] }: RenderCase): string {
  return [`${chart.name} with ${valuesFile === undefined ? 'default values' : path.isAbsolute(valuesFile) ? path.relative(workspaceRoot, valuesFile) : valuesFile}`, ...set.map((s) => `--set ${s}`)].join(' ');
}

interface ChartYaml {
  name?: string;
  type?: string;
  dependencies?: { name: string; repository?: string }[];
}

/** Reads every deploy/helm/<chart>/Chart.yaml, library first, then services, then umbrella charts. */
export function discoverCharts(root = helmRoot): ChartInfo[] {
  if (!existsSync(root)) return [];
  const charts: ChartInfo[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const chartYaml = path.join(root, entry.name, 'Chart.yaml');
    if (!entry.isDirectory() || !existsSync(chartYaml)) continue;
    const chart = parse(readFileSync(chartYaml, 'utf8')) as ChartYaml;
    if (chart.name !== entry.name) throw new Error(`deploy/helm/${entry.name}/Chart.yaml: name is "${chart.name}", expected the folder's name "${entry.name}"`);
    const dependencies = chart.dependencies ?? [];
    const role: ChartRole = chart.type === 'library' ? 'library' : isService(chart.name) ? 'service' : 'umbrella';
    const ciDirectory = path.join(root, entry.name, 'ci');
    const ciValuesFiles = existsSync(ciDirectory)
      ? readdirSync(ciDirectory)
          .filter((file) => file.endsWith('-values.yaml'))
          .sort()
          .map((file) => `ci/${file}`)
      : [];
    charts.push({ name: chart.name, role, dependencies, ciValuesFiles });
  }
  const order: Record<ChartRole, number> = { library: 0, service: 1, umbrella: 2 };
  return charts.sort((a, b) => order[a.role] - order[b.role] || a.name.localeCompare(b.name));
}

/** Every application chart with its defaults and with each of its ci/*-values.yaml files. */
export function renderCases(charts: readonly ChartInfo[]): RenderCase[] {
  return charts
    .filter((chart) => chart.role !== 'library')
    .flatMap((chart) => [{ chart, valuesFile: undefined }, ...chart.ciValuesFiles.map((valuesFile) => ({ chart, valuesFile }))]);
}

/**
 * A private copy of deploy/helm/ with the dependencies vendored (`helm dependency update
 * --skip-refresh`: services first, then umbrellas), so checks never race each other or the
 * working tree over charts/ and Chart.lock, and never leave build output in the repository.
 */
export class ChartWorkspace {
  private readonly renders = new Map<string, Promise<HelmResult>>();

  private constructor(
    /** The copy's root: one folder per chart. */
    readonly root: string,
    /** The charts, as found in deploy/helm/. */
    readonly charts: ChartInfo[],
  ) {}

  /** Copies deploy/helm/ to a temporary folder and vendors every chart's dependencies. */
  static async prepare(): Promise<ChartWorkspace> {
    const charts = discoverCharts();
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'strata-helm-checks-'));
    const root = path.join(scratch, 'helm');
    cpSync(helmRoot, root, {
      recursive: true,
      // Vendored output of someone's earlier `helm dependency update` is rebuilt here from the sources.
      filter: (source) => !/[/\\]deploy[/\\]helm[/\\][^/\\]+[/\\](charts|Chart\.lock)$/.test(source),
    });
    const workspace = new ChartWorkspace(root, charts);
    // Helm's own config, cache and data in the scratch folder: nothing read from or written to $HOME.
    for (const variable of ['HELM_CONFIG_HOME', 'HELM_CACHE_HOME', 'HELM_DATA_HOME']) workspace.env[variable] = path.join(scratch, variable.toLowerCase());
    for (const role of ['service', 'umbrella'] as const) {
      const withDependencies = charts.filter((chart) => chart.role === role && chart.dependencies.length > 0);
      await mapConcurrently(withDependencies, HELM_CONCURRENCY, (chart) => helmOrThrow(['dependency', 'update', workspace.chartDir(chart.name), '--skip-refresh'], { env: workspace.env }));
    }
    return workspace;
  }

  /** Environment of every Helm run in this workspace. */
  readonly env: NodeJS.ProcessEnv = {};

  /** The chart's folder in the copy. */
  chartDir(name: string): string {
    return path.join(this.root, name);
  }

  /** `helm template strata <chart> --namespace strata [-f <values>] [...extra]`, cached per arguments. */
  template(chart: string, valuesFile?: string, extra: string[] = []): Promise<HelmResult> {
    const args = ['template', RELEASE, this.chartDir(chart), '--namespace', NAMESPACE];
    if (valuesFile !== undefined) args.push('-f', this.valuesPath(chart, valuesFile));
    args.push(...extra);
    const key = JSON.stringify(args);
    let render = this.renders.get(key);
    if (render === undefined) {
      render = runHelm(args, { env: this.env });
      this.renders.set(key, render);
    }
    return render;
  }

  /** `helm template` of a render case. */
  templateCase(renderCase: RenderCase): Promise<HelmResult> {
    return this.template(renderCase.chart.name, renderCase.valuesFile, (renderCase.set ?? []).flatMap((s) => ['--set', s]));
  }

  /** The objects a render case produces; rejects with Helm's message when rendering fails. */
  async render(renderCase: RenderCase): Promise<Manifest[]> {
    const result = await this.templateCase(renderCase);
    if (result.code !== 0) throw new Error(`helm template ${describeCase(renderCase)} failed:\n${result.stderr.trim()}`);
    return parseManifests(result.stdout);
  }

  /** `helm lint --strict <chart> [-f <values>]`. */
  lint(chart: string, valuesFile?: string): Promise<HelmResult> {
    const args = ['lint', '--strict', this.chartDir(chart), '--namespace', NAMESPACE];
    if (valuesFile !== undefined) args.push('-f', this.valuesPath(chart, valuesFile));
    return runHelm(args, { env: this.env });
  }

  /** Writes a file into the scratch folder (outside the charts) and returns its path. */
  writeScratchFile(name: string, content: string): string {
    const file = path.join(path.dirname(this.root), name);
    writeFileSync(file, content);
    return file;
  }

  /** Removes the temporary copy. */
  dispose(): void {
    rmSync(path.dirname(this.root), { recursive: true, force: true });
  }

  /** A values file relative to the chart (ci/…), or an absolute path (fixtures). */
  private valuesPath(chart: string, valuesFile: string): string {
    return path.isAbsolute(valuesFile) ? valuesFile : path.join(this.chartDir(chart), valuesFile);
  }
}

/** Runs Helm over many render cases at once (bounded), in the cases' order. */
export function forEachCase<R>(cases: readonly RenderCase[], fn: (renderCase: RenderCase) => Promise<R>): Promise<R[]> {
  return mapConcurrently(cases, HELM_CONCURRENCY, fn);
}

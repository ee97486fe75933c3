import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Figure, Floors, LatencyStats, ScenarioResult } from '../scenario';
import { fixed } from './stats';

export interface Environment {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly totalMemoryGiB: number;
  readonly date: string;
}

/** A scenario that threw: reported as failed with its error; the others still ran. */
export interface FailedScenario {
  readonly scenario: string;
  readonly title: string;
  readonly error: string;
}

export type ScenarioOutcome = ({ readonly status: 'done' } & ScenarioResult) | ({ readonly status: 'failed' } & FailedScenario);

/** Everything one `npm run bench` measured: the JSON file of the run. */
export interface BenchRun {
  readonly command: string;
  readonly quick: boolean;
  readonly environment: Environment;
  readonly durationSeconds: number;
  readonly floors: Floors;
  readonly scenarios: readonly ScenarioOutcome[];
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

export function environment(now: Date): Environment {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: now.toISOString(),
  };
}

/** `bench/results/<time>.json`, `<time>.md` and `latest.md`; returns the paths written. */
export function writeResults(resultsDir: string, run: BenchRun, options: { latest?: boolean } = {}): { json: string; markdown: string; latest?: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = run.environment.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = path.join(resultsDir, `${stamp}.json`);
  const markdown = path.join(resultsDir, `${stamp}.md`);
  const latest = path.join(resultsDir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(run, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
  const text = renderReport(run, 1);
  writeFileSync(markdown, text);
  if (options.latest === false) return { json, markdown };
  writeFileSync(latest, text);
  return { json, markdown, latest };
}

/**
 * Replaces what is between README_START and README_END in `readmePath` with the report
 * (headings from level 3, under the README's `## Performance`). False when the markers are missing.
 */
export function updateReadme(readmePath: string, run: BenchRun): boolean {
  if (!existsSync(readmePath)) return false;
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return false;
  // The README shows the environment, the floors and every target; the figures are in latest.md.
  const block = `${README_START}\n${renderReport(run, 3, { figures: false }).trimEnd()}\n${README_END}`;
  writeFileSync(readmePath, `${readme.slice(0, start)}${block}${readme.slice(end + README_END.length)}`);
  return true;
}

/** The Markdown report; `level` is the level of its top heading; `figures: false` leaves out each scenario's figures. */
export function renderReport(run: BenchRun, level: number, options: { figures?: boolean } = {}): string {
  const h = (depth: number, text: string): string => `${'#'.repeat(level + depth)} ${text}`;
  const { environment: env } = run;
  const lines: string[] = [];
  lines.push(h(0, `Benchmarks${run.quick ? ' (quick run: figures not representative)' : ''}`), '');
  lines.push(`Made by \`${run.command}\` on ${env.date} in ${Math.round(run.durationSeconds)} s. Every figure is compared with a baseline measured in the same run (see bench/README.md).`, '');
  lines.push(h(1, 'Environment'), '', '| | |', '|---|---|');
  lines.push(`| CPU | ${env.cpuModel} |`, `| Cores | ${env.cores} |`, `| Node | ${env.node} |`, `| OS | ${env.platform} |`, `| Memory | ${env.totalMemoryGiB} GiB |`, `| Date | ${env.date} |`, '');
  lines.push(h(1, 'Floors'), '', '| Floor | p50 ms | p99 ms | p99.9 ms | mean ms | max ms | requests | errors |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  const floorNames: [keyof Floors, string][] = [
    ['ort', 'D_ort: in-process `session.run`, one row'],
    ['grpc', 'D_grpc: grpc-js unary echo over loopback'],
    ['http', 'D_http: Fastify POST echo over loopback'],
    ['pg', 'D_pg: primary-key SELECT through `pg`'],
  ];
  for (const [key, label] of floorNames) lines.push(statsRow(label, run.floors[key]));
  lines.push('');

  const targets = run.scenarios.flatMap((outcome) => (outcome.status === 'done' ? outcome.targets.map((target) => ({ scenario: outcome.scenario, ...target })) : []));
  if (targets.length > 0 || run.scenarios.some((outcome) => outcome.status === 'failed')) {
    lines.push(h(1, 'Targets'), '', '| Scenario | Target | Result | Detail |', '|---|---|---|---|');
    for (const target of targets) lines.push(`| ${target.scenario} | ${cell(target.name)} | ${target.pass ? 'PASS' : '**MISS**'} | ${cell(target.detail)} |`);
    for (const outcome of run.scenarios) if (outcome.status === 'failed') lines.push(`| ${outcome.scenario} | (scenario) | **FAILED** | ${cell(outcome.error.split('\n')[0] ?? '')} |`);
    lines.push('');
  }

  if (options.figures === false) {
    lines.push('Every figure, ratio and note of this run: [bench/results/latest.md](bench/results/latest.md).', '');
    return `${lines.join('\n')}\n`;
  }
  for (const outcome of run.scenarios) {
    lines.push(h(1, `${outcome.scenario}: ${outcome.title}`), '');
    if (outcome.status === 'failed') {
      lines.push('**Failed:**', '', '```', outcome.error, '```', '');
      continue;
    }
    if (outcome.figures.length > 0) {
      lines.push('| Figure | Value | Baseline | Ratio |', '|---|---:|---|---:|');
      for (const figure of outcome.figures) lines.push(figureRow(figure));
      lines.push('');
    }
    for (const target of outcome.targets) lines.push(`- ${target.pass ? 'PASS' : '**MISS**'} ${target.name}: ${target.detail}`);
    if (outcome.targets.length > 0) lines.push('');
    for (const note of outcome.notes) lines.push(`- ${note}`);
    if (outcome.notes.length > 0) lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function statsRow(label: string, stats: LatencyStats): string {
  return `| ${label} | ${fixed(stats.p50, 3)} | ${fixed(stats.p99, 3)} | ${fixed(stats.p999, 3)} | ${fixed(stats.mean, 3)} | ${fixed(stats.max, 3)} | ${stats.count} | ${stats.errors} |`;
}

function figureRow(figure: Figure): string {
  const value = `${formatValue(figure.value, figure.unit)} ${figure.unit}`;
  if (figure.baseline === undefined) return `| ${cell(figure.name)} | ${value} | | |`;
  const quotient = figure.value / figure.baseline.value;
  const ratio = Number.isFinite(quotient) ? `${fixed(quotient, 2)}x` : 'n/a';
  return `| ${cell(figure.name)} | ${value} | ${cell(figure.baseline.name)} = ${formatValue(figure.baseline.value, figure.unit)} ${figure.unit} | ${ratio} |`;
}

function formatValue(value: number, unit: Figure['unit']): string {
  if (unit === 'count') return Number.isFinite(value) ? String(Math.round(value)) : 'n/a';
  if (unit === 'rps' || unit === 'rows/s') return fixed(value, 0);
  return fixed(value, unit === 'ms' ? 3 : 2);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

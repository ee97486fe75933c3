/**
 * The benchmark runner: `npm run bench` runs every scenario; `npm run bench -- predict peak`
 * some; `--quick` a short smoke run (figures not representative); `--list` lists the scenarios;
 * `--update-readme` also puts the table into README.md between the bench markers.
 *
 * It measures the four floors first (on the shared platform's served model), then runs the
 * scenarios one by one, each isolated (a scenario that throws is reported as failed, the others
 * still run), and writes bench/results/<time>.json, <time>.md and latest.md. A missed target is
 * a reported figure, not a failure: the exit code is non-zero only when the harness itself breaks.
 */
import { workspaceRoot } from '@strata/testing';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { floorOptions, measureFloors } from './floors';
import { type RunningPlatform, startBenchPlatform } from './harness/platform';
import { type BenchRun, environment, README_END, README_START, renderReport, type ScenarioOutcome, updateReadme, writeResults } from './harness/report';
import type { BenchContext, BenchPlatform, Scenario } from './scenario';
import { SCENARIOS } from './scenarios';

interface Options {
  readonly names: readonly string[];
  readonly quick: boolean;
  readonly updateReadme: boolean;
  readonly list: boolean;
}

const USAGE = 'usage: npm run bench -- [--quick] [--update-readme] [--list] [scenario ...]';

function parseArgs(argv: readonly string[]): Options {
  const flags = new Set(argv.filter((arg) => arg.startsWith('--')));
  for (const flag of flags) if (!['--quick', '--update-readme', '--list', '--help'].includes(flag)) throw new UsageError(`unknown option ${flag}`);
  if (flags.has('--help')) throw new UsageError('');
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const known = new Set(SCENARIOS.map((scenario) => scenario.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return { names, quick: flags.has('--quick'), updateReadme: flags.has('--update-readme'), list: flags.has('--list') };
}

class UsageError extends Error {}

const started = performance.now();
function log(line: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[bench ${seconds}s] ${line}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message !== '') console.error(error.message);
    console.error(USAGE);
    return error.message === '' ? 0 : 2;
  }
  if (options.list) {
    for (const scenario of SCENARIOS) console.log(`${scenario.name.padEnd(20)} ${scenario.title}`);
    return 0;
  }
  // In registry order, whatever order they were named in.
  const selected: Scenario[] = SCENARIOS.filter((scenario) => options.names.length === 0 || options.names.includes(scenario.name));
  const args = process.argv.slice(2);
  const command = ['npm run bench', ...(args.length === 0 ? [] : ['--', ...args])].join(' ');
  const now = new Date();
  log(`${command}: ${selected.map((scenario) => scenario.name).join(', ')}${options.quick ? ' (quick)' : ''}`);

  // The platform is started at most once and shared (the D_ort floor needs its served model).
  let platform: Promise<RunningPlatform> | undefined;
  const sharedPlatform = (): Promise<BenchPlatform> => {
    platform ??= startBenchPlatform(log);
    return platform;
  };
  try {
    log('starting the platform (five services on PostgreSQL)');
    const { model } = await sharedPlatform();
    log(`measuring the floors (open loop, ${floorOptions(options.quick, log).ratePerSecond}/s)`);
    const floors = await measureFloors(model, floorOptions(options.quick, log));
    const context: BenchContext = { quick: options.quick, workspaceRoot, log: (line) => log(`  ${line}`), floors, platform: sharedPlatform };

    const outcomes: ScenarioOutcome[] = [];
    for (const scenario of selected) {
      log(`scenario ${scenario.name}: ${scenario.title}`);
      const scenarioStarted = performance.now();
      try {
        const result = await scenario.run(context);
        outcomes.push({ status: 'done', ...result });
        const misses = result.targets.filter((target) => !target.pass).length;
        log(`scenario ${scenario.name} done in ${((performance.now() - scenarioStarted) / 1000).toFixed(0)} s: ${result.targets.length - misses} PASS, ${misses} MISS`);
      } catch (error) {
        outcomes.push({ status: 'failed', scenario: scenario.name, title: scenario.title, error: messageOf(error) });
        log(`scenario ${scenario.name} FAILED: ${messageOf(error)}`);
      }
    }

    const run: BenchRun = { command, quick: options.quick, environment: environment(now), durationSeconds: (performance.now() - started) / 1000, floors, scenarios: outcomes };
    const written = writeResults(path.join(workspaceRoot, 'bench/results'), run);
    console.log(`\n${renderReport(run, 1)}`);
    log(`wrote ${path.relative(workspaceRoot, written.json)}, ${path.relative(workspaceRoot, written.markdown)} and ${path.relative(workspaceRoot, written.latest)}`);
    if (options.updateReadme) {
      const readme = path.join(workspaceRoot, 'README.md');
      if (updateReadme(readme, run)) log('README.md: replaced the block between the bench markers');
      else log(`README.md has no ${README_START} ... ${README_END} block: not updated`);
    }
    return 0;
  } finally {
    if (platform !== undefined) {
      log('stopping the platform');
      await platform.then(
        (running) => running.stop(),
        () => undefined,
      );
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: the harness broke: ${messageOf(error)}`);
    process.exitCode = 1;
  },
);

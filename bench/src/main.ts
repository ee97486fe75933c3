/**
 * The benchmark runner: `npm run bench` runs every scenario; `npm run bench -- predict peak`
 * some; `--quick` a short smoke run (figures not representative); `--list` lists the scenarios;
 * `--update-readme` also puts the table into README.md between the bench markers; `--profile`
 * runs the shared platform's services under `node --cpu-prof` and writes where their CPU went
 * during each scenario to bench/results/profile-latest.md (figures of a profiled run are slower).
 *
 * It measures the four floors first (on the shared platform's served model), then runs the
 * scenarios one by one, each isolated (a scenario that throws is reported as failed, the others
 * still run), and writes bench/results/<time>.json, <time>.md and latest.md. A missed target is
 * a reported figure, not a failure: the exit code is non-zero only when the harness itself breaks.
 */
import { PLATFORM_SERVICES, workspaceRoot } from '@strata/testing';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { floorOptions, measureFloors } from './floors';
import { type RunningPlatform, startBenchPlatform } from './harness/platform';
import { monotonicMicros, type ProfileWindow, readNewestProfile, renderProfiles } from './harness/profile';
import { type BenchRun, environment, README_END, README_START, renderReport, type ScenarioOutcome, updateReadme, writeResults } from './harness/report';
import type { BenchContext, BenchPlatform, Scenario } from './scenario';
import { SCENARIOS } from './scenarios';

interface Options {
  readonly names: readonly string[];
  readonly quick: boolean;
  readonly updateReadme: boolean;
  readonly list: boolean;
  readonly profile: boolean;
}

const USAGE = 'usage: npm run bench -- [--quick] [--update-readme] [--profile] [--list] [scenario ...]';

function parseArgs(argv: readonly string[]): Options {
  const flags = new Set(argv.filter((arg) => arg.startsWith('--')));
  for (const flag of flags) if (!['--quick', '--update-readme', '--profile', '--list', '--help'].includes(flag)) throw new UsageError(`unknown option ${flag}`);
  if (flags.has('--help')) throw new UsageError('');
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const known = new Set(SCENARIOS.map((scenario) => scenario.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return { names, quick: flags.has('--quick'), updateReadme: flags.has('--update-readme'), list: flags.has('--list'), profile: flags.has('--profile') };
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
  const profileDir = options.profile ? path.join(workspaceRoot, 'bench/results/profiles', now.toISOString().replace(/[:.]/g, '-')) : undefined;
  const profileWindows: ProfileWindow[] = [];
  const sharedPlatform = (): Promise<BenchPlatform> => {
    platform ??= startBenchPlatform(log, profileDir === undefined ? {} : { profileDir });
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
      const startUs = monotonicMicros();
      try {
        const result = await scenario.run(context);
        profileWindows.push({ name: scenario.name, startUs, endUs: monotonicMicros() });
        outcomes.push({ status: 'done', ...result });
        const misses = result.targets.filter((target) => !target.pass).length;
        log(`scenario ${scenario.name} done in ${((performance.now() - scenarioStarted) / 1000).toFixed(0)} s: ${result.targets.length - misses} PASS, ${misses} MISS`);
      } catch (error) {
        outcomes.push({ status: 'failed', scenario: scenario.name, title: scenario.title, error: messageOf(error) });
        log(`scenario ${scenario.name} FAILED: ${messageOf(error)}`);
      }
    }

    const run: BenchRun = { command, quick: options.quick, environment: environment(now), durationSeconds: (performance.now() - started) / 1000, floors, scenarios: outcomes };
    // A profiled run is slower: its figures never become the latest ones.
    const written = writeResults(path.join(workspaceRoot, 'bench/results'), run, { latest: !options.profile });
    console.log(`\n${renderReport(run, 1)}`);
    log(`wrote ${[written.json, written.markdown, written.latest].filter((file) => file !== undefined).map((file) => path.relative(workspaceRoot, file)).join(', ')}`);
    if (options.updateReadme && !options.profile) {
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
    if (profileDir !== undefined) writeProfileReport(profileDir, profileWindows);
  }
}

/** Cuts each service's CPU profile (written when it stopped) to the scenarios' windows. */
function writeProfileReport(profileDir: string, windows: readonly ProfileWindow[]): void {
  const profiles = new Map(PLATFORM_SERVICES.map((service) => [service, readNewestProfile(path.join(profileDir, service))]));
  const file = path.join(workspaceRoot, 'bench/results/profile-latest.md');
  writeFileSync(file, renderProfiles(windows, profiles, workspaceRoot));
  log(`wrote ${path.relative(workspaceRoot, file)} (raw profiles: ${path.relative(workspaceRoot, profileDir)}, open them in Chrome DevTools)`);
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

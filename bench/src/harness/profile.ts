// `npm run bench -- --profile <scenario>`: where the services' CPU goes during each scenario.
// The shared platform's five services run with `node --cpu-prof`; V8 writes one .cpuprofile per
// process when it exits. Each profile is cut to each scenario's time window (V8 sample times and
// process.hrtime are the same monotonic clock) and summarized: CPU time by package or folder,
// and the heaviest functions by self time.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** A time window on the monotonic clock, in microseconds (V8 profile time). */
export interface ProfileWindow {
  readonly name: string;
  readonly startUs: number;
  readonly endUs: number;
}

/** Now on the clock V8 stamps profile samples with (CLOCK_MONOTONIC), in microseconds. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Node options for a service process that writes its CPU profile into `dir` on exit. */
export function cpuProfileArgs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

/** The parts of V8's .cpuprofile format read here. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** CPU time of one process in one window, by where it was spent. */
export interface ProfileSummary {
  /** Sampled time in the window that was not idle, in ms. */
  readonly busyMs: number;
  /** Sampled time in the window, idle included, in ms. */
  readonly wallMs: number;
  /** Busy time by package (`@grpc/grpc-js`), folder of the service's own code, node internals, GC. */
  readonly byArea: readonly { readonly area: string; readonly ms: number }[];
  /** The heaviest functions by self time. */
  readonly topFunctions: readonly { readonly name: string; readonly area: string; readonly ms: number }[];
}

const NODE_MODULES = '/node_modules/';

/** Where a frame's code lives: its npm package, `node:<module>`, the workspace folder, or a V8 pseudo-frame. */
export function areaOf(frame: CallFrame, workspaceRoot: string): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf(NODE_MODULES);
  if (modules >= 0) {
    const parts = url.slice(modules + NODE_MODULES.length).split('/');
    return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return `node:${url.slice('node:'.length).split('/').slice(0, 2).join('/')}`;
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const relative = path.relative(workspaceRoot, file);
  if (relative.startsWith('..')) return file;
  // dist/apps/<service>/main.js is one bundle: name it by the bundle.
  return relative.split(path.sep).slice(0, 3).join('/');
}

/** Summarizes the samples of `profile` taken inside [startUs, endUs). */
export function summarizeProfile(profile: CpuProfile, window: { startUs: number; endUs: number }, workspaceRoot: string, top = 12): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let time = profile.startTime;
  let wallUs = 0;
  for (let index = 0; index < profile.samples.length; index += 1) {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (time < window.startUs || time >= window.endUs) continue;
    // A sample stands for the time since the one before it.
    const id = profile.samples[index] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    wallUs += delta;
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; area: string; us: number }>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = (nodes.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const area = areaOf(frame, workspaceRoot);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'}${frame.url === '' ? '' : ` ${path.basename(frame.url)}:${frame.lineNumber + 1}`}`;
    const known = functions.get(name) ?? { name, area, us: 0 };
    known.us += us;
    functions.set(name, known);
  }
  const ms = (us: number): number => us / 1000;
  return {
    busyMs: ms(wallUs - idleUs),
    wallMs: ms(wallUs),
    byArea: [...areas].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: ms(us) })),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(({ name, area, us }) => ({ name, area, ms: ms(us) })),
  };
}

/** The newest .cpuprofile in `dir`, or undefined when the process wrote none. */
export function readNewestProfile(dir: string): CpuProfile | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  } catch {
    return undefined;
  }
  const newest = files.map((file) => path.join(dir, file)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  return newest === undefined ? undefined : (JSON.parse(readFileSync(newest, 'utf8')) as CpuProfile);
}

/** A Markdown section per window: each service's busy time, its areas (≥ 1 % of it) and heaviest functions. */
export function renderProfiles(windows: readonly ProfileWindow[], profiles: ReadonlyMap<string, CpuProfile | undefined>, workspaceRoot: string): string {
  const lines: string[] = ['# CPU profiles', '', 'Made with `node --cpu-prof` in each service of the shared platform, cut to each scenario\'s time window. Self time: the function itself, not what it calls.', ''];
  for (const window of windows) {
    lines.push(`## ${window.name} (${((window.endUs - window.startUs) / 1e6).toFixed(1)} s)`, '');
    for (const [service, profile] of profiles) {
      if (profile === undefined) {
        lines.push(`### ${service}`, '', 'no profile written (did the process exit cleanly?)', '');
        continue;
      }
      const summary = summarizeProfile(profile, window, workspaceRoot);
      if (summary.busyMs === 0) continue;
      const share = (ms: number): string => `${((100 * ms) / summary.busyMs).toFixed(1)} %`;
      lines.push(`### ${service}: ${summary.busyMs.toFixed(0)} ms busy of ${summary.wallMs.toFixed(0)} ms sampled`, '');
      lines.push('| Where | ms | share |', '|---|---:|---:|');
      for (const { area, ms } of summary.byArea.filter((entry) => entry.ms >= summary.busyMs / 100)) lines.push(`| ${area} | ${ms.toFixed(0)} | ${share(ms)} |`);
      lines.push('', '| Function (self time) | where | ms | share |', '|---|---|---:|---:|');
      for (const { name, area, ms } of summary.topFunctions) lines.push(`| \`${name.replaceAll('|', '\\|')}\` | ${area} | ${ms.toFixed(0)} | ${share(ms)} |`);
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

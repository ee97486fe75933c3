// Runs every project's `test` target, PARALLEL at a time (default 2), longest first.
//
// `nx run-many -t test` orders test tasks by how many projects depend on the project (libs
// first, apps last) and only then by the timings of earlier runs, so on a fresh machine the
// longest suites could start last and leave a core idle at the end. Here each test target
// (an nx:run-commands command) starts in order of its last measured duration (kept in
// tmp/test-durations.json; DEFAULT_SECONDS on a fresh checkout; a project new since the last
// run counts as long and starts first), and the next one starts as soon as a slot frees up.
//
// The test targets' dependencies (`generate`, the app builds) are not run here: test.sh runs
// them just before. A test target that depends on anything else stops this script, so a new
// dependency cannot be skipped silently.
//
// Usage: node tools/ci/run-tests.js   (env PARALLEL=<n>: slots; PROJECTS=a,b: only those projects)
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const durationsFile = path.join(root, 'tmp/test-durations.json');
const parallel = Number(process.env.PARALLEL ?? 2);
if (!(Number.isInteger(parallel) && parallel >= 1)) throw new Error(`PARALLEL must be a whole number >= 1, got "${process.env.PARALLEL}"`);

/**
 * Rough seconds of each long suite (measured on the 2-core box, Nov 2026), only to order a fresh
 * checkout's first run: after it, tmp/test-durations.json has the real figures. The rest are
 * libraries of a few seconds each.
 */
const DEFAULT_SECONDS = {
  'inference-service': 300,
  'registry-service': 250,
  'feature-service': 160,
  cli: 150,
  'training-runner': 90,
  launcher: 85,
  e2e: 80,
};

/** Dependencies of `test` targets that test.sh has already run before this script. */
const RUN_BEFORE = new Set(['generate', 'build']);

const graphFile = path.join(root, 'tmp/ci-project-graph.json');
execFileSync(path.join(root, 'node_modules/.bin/nx'), ['graph', `--file=${graphFile}`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const { nodes } = JSON.parse(fs.readFileSync(graphFile, 'utf8')).graph;

const only = process.env.PROJECTS === undefined ? undefined : new Set(process.env.PROJECTS.split(','));
const tasks = [];
for (const [project, node] of Object.entries(nodes)) {
  const target = node.data.targets?.test;
  if (target === undefined || (only !== undefined && !only.has(project))) continue;
  for (const dependency of target.dependsOn ?? []) {
    const name = typeof dependency === 'string' ? dependency.replace(/^\^/, '') : dependency.target;
    if (!RUN_BEFORE.has(name)) throw new Error(`${project}:test depends on "${name}", which tools/ci/test.sh does not run before the tests; add it there and to RUN_BEFORE`);
  }
  const command = target.executor === 'nx:run-commands' && typeof target.options?.command === 'string' ? target.options.command : undefined;
  if (command === undefined) throw new Error(`${project}:test is not a single nx:run-commands command; run-tests.js cannot start it`);
  tasks.push({ project, command });
}

const previous = fs.existsSync(durationsFile) ? JSON.parse(fs.readFileSync(durationsFile, 'utf8')) : {};
const measured = Object.keys(previous).length > 0;
// A project missing from a previous run's figures is new: counted as long. Without figures, only DEFAULT_SECONDS are long.
const expected = (project) => previous[project] ?? DEFAULT_SECONDS[project] ?? (measured ? Number.POSITIVE_INFINITY : 0);
// Longest first; ties by name, so the order is stable.
tasks.sort((a, b) => expected(b.project) - expected(a.project) || a.project.localeCompare(b.project));

const env = { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}` };
const durations = { ...previous };
const failed = [];
const started = Date.now();

/** Runs one test target, printing its output in one block once it has finished (two never interleave). */
function run({ project, command }) {
  const begin = Date.now();
  console.log(`▶ ${project}:test  (${command})`);
  return new Promise((resolve) => {
    const child = spawn(command, { cwd: root, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('close', (code, signal) => {
      const seconds = Math.round((Date.now() - begin) / 1000);
      durations[project] = seconds;
      if (code !== 0) failed.push(project);
      process.stdout.write(Buffer.concat(output));
      console.log(`${code === 0 ? '✔' : '✖'} ${project}:test ${code === 0 ? 'passed' : `failed (${signal ?? `exit ${code}`})`} in ${seconds} s\n`);
      resolve();
    });
  });
}

async function main() {
  const queue = [...tasks];
  const slot = async () => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) await run(task);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, slot));
  fs.mkdirSync(path.dirname(durationsFile), { recursive: true });
  fs.writeFileSync(durationsFile, `${JSON.stringify(durations, null, 2)}\n`);
  const total = Math.round((Date.now() - started) / 1000);
  console.log(`${tasks.length} test targets, ${parallel} at a time, in ${total} s${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

void main();

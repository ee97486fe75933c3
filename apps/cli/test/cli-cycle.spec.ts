import { buildLinearModel } from '@strata/onnx';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registryEntry, type RegistryProcess, startRegistryProcess, workspaceRoot } from './support/registry-process';
import { cliEntry, type CliRun, jsonError, jsonOut, runStrata } from './support/run-cli';
import { startWatcher } from './support/watch-process';

// The release cycle a CI pipeline drives, through the built `strata` binary against the real
// built registry-service: register -> gate fail -> register better -> promote -> stale
// compare-and-set -> rollback, asserting exit codes and --json output at every step.
const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const CI_TOKEN = 'ci-token-for-the-cli-test';
const ADMIN_TOKEN = 'admin-token-for-the-cli-test';
const MODEL = 'flights-delay';

interface VersionJson {
  version: { modelName: string; version: number; artifact: { sha256: string; sizeBytes: string }; metrics: Record<string, number> };
  alreadyExisted: boolean;
}
interface AliasJson {
  alias: { alias: string; version: number; previousVersion: number; revision: string };
  gate?: { passed: boolean; checks: { kind: string; subject: string; passed: boolean }[] };
}

describe('strata CLI release cycle', () => {
  let registry: RegistryProcess;
  let workDir: string;
  const files: Record<string, string> = {};

  const asCi = (...args: string[]): Promise<CliRun> => runStrata(args, { STRATA_REGISTRY: registry.address, STRATA_TOKEN: CI_TOKEN });
  const asAdmin = (...args: string[]): Promise<CliRun> => runStrata(args, { STRATA_REGISTRY: registry.address, STRATA_TOKEN: ADMIN_TOKEN });
  const anonymous = (...args: string[]): Promise<CliRun> => runStrata(args, { STRATA_REGISTRY: registry.address });
  const expectExit = (run: CliRun, code: number): void => {
    if (run.code !== code) throw new Error(`expected exit ${code}, got ${String(run.code)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  };

  /** Writes model `name` (an ONNX file of its own bytes) and its metrics file. */
  const writeVersionFiles = (name: string, bias: number, auc: number): void => {
    const onnx = buildLinearModel({ weights: [[0.5], [-0.25], [bias]], bias: [bias], activation: 'sigmoid', featureCount: 3 });
    files[`${name}.onnx`] = path.join(workDir, `${name}.onnx`);
    files[`${name}.metrics`] = path.join(workDir, `${name}.metrics.json`);
    writeFileSync(files[`${name}.onnx`]!, onnx);
    writeFileSync(files[`${name}.metrics`]!, JSON.stringify({ auc, logloss: 1 - auc }));
  };

  beforeAll(async () => {
    if (!existsSync(cliEntry) || !existsSync(registryEntry)) {
      execFileSync('node_modules/.bin/nx', ['run-many', '-t', 'build', '--projects=cli,registry-service'], { cwd: workspaceRoot, stdio: 'ignore' });
    }
    workDir = mkdtempSync(path.join(tmpdir(), 'strata-cli-cycle-'));
    writeVersionFiles('v1', 0.1, 0.65);
    writeVersionFiles('v2', 0.2, 0.8);
    writeVersionFiles('v3', 0.3, 0.85);
    registry = await startRegistryProcess({ REGISTRY_TOKENS: `ci-bot:ci:${sha256(CI_TOKEN)},alice:admin:${sha256(ADMIN_TOKEN)}` });
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  it('creates the model (idempotent) and refuses a mutation without a token (exit 6)', async () => {
    const created = await asCi('models', 'create', MODEL, '--owner', 'ml-team', '--tag', 'domain=aviation', '--json');
    expectExit(created, 0);
    expect(jsonOut<{ model: { name: string; owner: string; tags: Record<string, string> }; created: boolean }>(created)).toMatchObject({
      model: { name: MODEL, owner: 'ml-team', tags: { domain: 'aviation' } },
      created: true,
    });
    const again = await asCi('models', 'create', MODEL, '--json');
    expectExit(again, 0);
    expect(jsonOut(again)).toMatchObject({ created: false });

    const noToken = await anonymous('models', 'create', 'other-model', '--json');
    expectExit(noToken, 6);
    expect(jsonError(noToken).status).toBe('UNAUTHENTICATED');
    expect(noToken.stderr).not.toContain(CI_TOKEN);
  });

  it('registers v1 with auc 0.65, and the same bytes again as the existing version', async () => {
    const run = await asCi('versions', 'register', MODEL, files['v1.onnx']!, '--metrics', files['v1.metrics']!, '--code-version', 'abc123', '--json');
    expectExit(run, 0);
    const body = jsonOut<VersionJson>(run);
    expect(body.alreadyExisted).toBe(false);
    expect(body.version).toMatchObject({ modelName: MODEL, version: 1, metrics: { auc: 0.65 } });
    expect(body.version.artifact.sha256).toBe(sha256(readFileSync(files['v1.onnx']!)));

    const again = await asCi('versions', 'register', MODEL, files['v1.onnx']!, '--json');
    expectExit(again, 0);
    expect(jsonOut<VersionJson>(again)).toMatchObject({ alreadyExisted: true, version: { version: 1 } });
  });

  it('sets the production gate auc>=0.7 with the admin token (the ci token gets exit 6)', async () => {
    const refused = await asCi('gates', 'set', MODEL, 'production', '--metric', 'auc>=0.7', '--reason', 'ci may not', '--json');
    expectExit(refused, 6);
    expect(jsonError(refused).status).toBe('PERMISSION_DENIED');

    const run = await asAdmin('gates', 'set', MODEL, 'production', '--metric', 'auc>=0.7', '--reason', 'production needs auc >= 0.7', '--json');
    expectExit(run, 0);
    expect(jsonOut<{ policy: { metricRules: { metric: string; min: number }[] } }>(run).policy.metricRules).toEqual([
      expect.objectContaining({ metric: 'auc', min: 0.7 }),
    ]);
  });

  it('refuses to promote v1: exit 4 with the failing rule on stderr, as text and as JSON', async () => {
    const text = await asCi('aliases', 'set', MODEL, 'production', '1', '--reason', 'first release');
    expectExit(text, 4);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain('FAILED_PRECONDITION');
    expect(text.stderr).toMatch(/GATE_METRIC auc: .*0\.65/);

    const json = await asCi('aliases', 'set', MODEL, 'production', '1', '--reason', 'first release', '--json');
    expectExit(json, 4);
    const error = jsonError(json);
    expect(error).toMatchObject({ status: 'FAILED_PRECONDITION', exitCode: 4 });
    expect(error.preconditionViolations).toEqual([expect.objectContaining({ type: 'GATE_METRIC', subject: 'auc' })]);

    const aliases = await anonymous('aliases', 'list', MODEL, '--json');
    expectExit(aliases, 0);
    expect(jsonOut<{ aliases: unknown[] }>(aliases).aliases).toEqual([]);
  });

  it('registers v2 with auc 0.8 and promotes it with --expect 0', async () => {
    const registered = await asCi('versions', 'register', MODEL, files['v2.onnx']!, '--metrics', files['v2.metrics']!, '--json');
    expectExit(registered, 0);
    expect(jsonOut<VersionJson>(registered).version.version).toBe(2);

    const validated = await asCi('aliases', 'set', MODEL, 'production', '2', '--expect', '0', '--reason', 'check', '--validate-only', '--json');
    expectExit(validated, 0);
    expect(jsonOut<AliasJson>(validated).gate?.passed).toBe(true);

    const promoted = await asCi('aliases', 'set', MODEL, 'production', '2', '--expect', '0', '--reason', 'auc 0.8 passes the gate', '--json');
    expectExit(promoted, 0);
    const body = jsonOut<AliasJson>(promoted);
    expect(body.alias).toMatchObject({ alias: 'production', version: 2, previousVersion: 0 });
    expect(body.gate).toMatchObject({ passed: true, checks: [expect.objectContaining({ subject: 'auc', passed: true })] });
  });

  it('refuses a stale compare-and-set with exit 5 and leaves production on v2', async () => {
    const stale = await asCi('aliases', 'set', MODEL, 'production', '2', '--expect', '1', '--reason', 'stale', '--json');
    expectExit(stale, 5);
    expect(jsonError(stale).status).toBe('ABORTED');

    const current = await anonymous('aliases', 'get', MODEL, 'production', '--json');
    expectExit(current, 0);
    expect(jsonOut<AliasJson>(current).alias.version).toBe(2);
  });

  it('promotes v3, rolls production back to v2, and downloads the verified v2 artifact', async () => {
    expectExit(await asCi('versions', 'register', MODEL, files['v3.onnx']!, '--metrics', files['v3.metrics']!), 0);
    const promoted = await asCi('aliases', 'set', MODEL, 'production', '3', '--expect', '2', '--reason', 'v3 is better', '--json');
    expectExit(promoted, 0);
    expect(jsonOut<AliasJson>(promoted).alias).toMatchObject({ version: 3, previousVersion: 2 });

    const rolledBack = await asCi('aliases', 'rollback', MODEL, 'production', '--reason', 'v3 misbehaves online', '--expect', '3', '--json');
    expectExit(rolledBack, 0);
    expect(jsonOut<AliasJson>(rolledBack).alias).toMatchObject({ alias: 'production', version: 2 });

    const version = await anonymous('versions', 'get', MODEL, '@production', '--json');
    expectExit(version, 0);
    expect(jsonOut<VersionJson>(version).version.version).toBe(2);

    const out = path.join(workDir, 'production.onnx');
    const download = await anonymous('versions', 'download', MODEL, '@production', '-o', out, '--json');
    expectExit(download, 0);
    expect(jsonOut(download)).toMatchObject({ version: 2, artifact: { sha256: sha256(readFileSync(files['v2.onnx']!)) } });
    expect(readFileSync(out)).toEqual(readFileSync(files['v2.onnx']!));
  });

  it('adds evidence, approves and deprecates versions with the admin-only commands', async () => {
    const metrics = files['v3.metrics']!;
    const evidence = await asCi('evidence', 'add', MODEL, '3', 'offline-eval', '--metrics', metrics, '--passed', '--json');
    expectExit(evidence, 0);
    expect(jsonOut(evidence)).toMatchObject({ evidence: { name: 'offline-eval', passed: true, metrics: { auc: 0.85 }, createdBy: 'ci-bot' } });

    const approved = await asAdmin('versions', 'approve', MODEL, '3', '--alias', 'production', '--reason', 'reviewed the eval', '--json');
    expectExit(approved, 0);
    expect(jsonOut(approved)).toMatchObject({ approval: { version: 3, alias: 'production', approvedBy: 'alice' }, alreadyExisted: false });

    expectExit(await asCi('versions', 'status', MODEL, '1', 'deprecated', '--reason', 'superseded'), 6);
    const deprecated = await asAdmin('versions', 'status', MODEL, '1', 'deprecated', '--reason', 'superseded', '--json');
    expectExit(deprecated, 0);
    expect(jsonOut(deprecated)).toMatchObject({ version: { version: 1, status: 'VERSION_STATUS_DEPRECATED' } });

    const listed = await anonymous('versions', 'list', MODEL, '--json');
    expectExit(listed, 0);
    expect(jsonOut<{ versions: { version: number; status: string }[] }>(listed).versions.map((v) => [v.version, v.status])).toEqual([
      [3, 'VERSION_STATUS_ACTIVE'],
      [2, 'VERSION_STATUS_ACTIVE'],
      [1, 'VERSION_STATUS_DEPRECATED'],
    ]);
  });

  it('shows who did what in the audit log, and exit 3 for an unknown model', async () => {
    const audit = await anonymous('audit', MODEL, '--json');
    expectExit(audit, 0);
    const entries = jsonOut<{ entries: { action: string; actor: string; reason: string }[] }>(audit).entries;
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['AUDIT_ACTION_ALIAS_SET_REJECTED', 'AUDIT_ACTION_ALIAS_SET', 'AUDIT_ACTION_ALIAS_ROLLED_BACK']));
    expect(entries.find((e) => e.action === 'AUDIT_ACTION_ALIAS_ROLLED_BACK')).toMatchObject({ actor: 'ci-bot', reason: 'v3 misbehaves online' });

    const missing = await anonymous('models', 'get', 'no-such-model', '--json');
    expectExit(missing, 3);
    expect(jsonError(missing).status).toBe('NOT_FOUND');
  });

  it('watches releases as JSON lines: a snapshot, then the traffic change, and exits 0 on SIGINT', async () => {
    const watcher = startWatcher(['--model', MODEL], { STRATA_REGISTRY: registry.address });
    try {
      await watcher.waitFor(() => watcher.lines().some((l) => l['snapshot'] !== undefined));
      const snapshot = watcher.lines()[0]!['snapshot'] as { models: { modelName: string; aliases: { alias: string; version: number }[] }[] };
      expect(snapshot.models[0]).toMatchObject({ modelName: MODEL, aliases: [expect.objectContaining({ alias: 'production', version: 2 })] });

      expectExit(await asCi('aliases', 'set', MODEL, 'canary', '3', '--reason', 'canary v3'), 0);
      expectExit(await asCi('traffic', 'set', MODEL, 'production=90', 'canary=10', '--reason', 'canary 10%'), 0);
      await watcher.waitFor(() => watcher.events().some((e) => e.kind === 'RELEASE_EVENT_KIND_TRAFFIC_POLICY_CHANGED'));
      const events = watcher.events();
      expect(events.map((e) => e.kind)).toEqual(['RELEASE_EVENT_KIND_ALIAS_MOVED', 'RELEASE_EVENT_KIND_TRAFFIC_POLICY_CHANGED']);
      expect(events[0]).toMatchObject({ alias: 'canary', version: 3 });
      expect(BigInt(events[1]!.revision)).toBeGreaterThan(BigInt(events[0]!.revision));
    } finally {
      expect(await watcher.interrupt()).toBe(0);
    }
  });

  it('keeps watching across a registry restart, resuming after the last revision (no gap, no duplicate)', async () => {
    const watcher = startWatcher(['--model', MODEL], { STRATA_REGISTRY: registry.address });
    try {
      await watcher.waitFor(() => watcher.lines().some((l) => l['snapshot'] !== undefined));
      expectExit(await asCi('aliases', 'set', MODEL, 'canary', '2', '--expect', '3', '--reason', 'before the restart'), 0);
      await watcher.waitFor(() => watcher.events().length === 1);

      await registry.restart();
      await watcher.waitFor(() => watcher.stderr().includes('reconnecting'));
      expectExit(await asCi('aliases', 'set', MODEL, 'canary', '3', '--expect', '2', '--reason', 'after the restart'), 0);
      await watcher.waitFor(() => watcher.events().length >= 2);

      const events = watcher.events();
      expect(events.map((e) => [e.alias, e.version])).toEqual([
        ['canary', 2],
        ['canary', 3],
      ]);
      expect(BigInt(events[1]!.revision)).toBeGreaterThan(BigInt(events[0]!.revision));
      // resumed, so no second snapshot
      expect(watcher.lines().filter((l) => l['snapshot'] !== undefined)).toHaveLength(1);
    } finally {
      expect(await watcher.interrupt()).toBe(0);
    }
  }, 120_000);
});

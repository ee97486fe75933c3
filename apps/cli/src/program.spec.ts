import { status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { fakeCli, fakeRegistry, grpcError } from '../test/support/fake-cli';
import { ExitCode } from './exit-codes';
import { buildProgram, runCli } from './program';
import type { RegistryApi } from './registry-client';

const anAlias = (overrides: Partial<registryV1.AliasInfo> = {}): registryV1.AliasInfo => ({
  modelName: 'flights-delay',
  alias: 'production',
  version: 2,
  previousVersion: 0,
  artifactSha256: 'ab'.repeat(32),
  revision: '5',
  updatedBy: 'ci-bot',
  reason: 'r',
  updatedAt: { seconds: '1795000000', nanos: 0 },
  ...overrides,
});

const passingGate: registryV1.GateEvaluation = {
  passed: true,
  overridden: false,
  checks: [{ kind: 'GATE_RULE_KIND_METRIC' as registryV1.GateRuleKind, subject: 'auc', passed: true, detail: 'auc 0.8 >= min 0.7' }],
};

async function gateFailure(): Promise<Error> {
  const { encodeStatusDetails, FailedPreconditionError } = await import('@strata/service-runtime');
  const error = new FailedPreconditionError('gate of production refused version 1', [
    { type: 'GATE_METRIC', subject: 'auc', description: 'auc 0.65 < min 0.7' },
    { type: 'GATE_EVIDENCE', subject: 'offline-eval', description: 'evidence offline-eval missing' },
  ]);
  return grpcError(status.FAILED_PRECONDITION, error.message, encodeStatusDetails(error));
}

async function run(args: string[], registry: RegistryApi, env: NodeJS.ProcessEnv = {}) {
  const cli = fakeCli(registry, { env });
  const code = await runCli(args, cli.deps);
  return { code, cli };
}

describe('strata aliases set', () => {
  it('sends a compare-and-set with --expect 0 and prints the alias and gate', async () => {
    const setAlias = jest.fn<Promise<registryV1.SetAliasResponse>, [registryV1.SetAliasRequest]>().mockResolvedValue({ alias: anAlias(), gate: passingGate });
    const { code, cli } = await run(['aliases', 'set', 'flights-delay', 'production', '2', '--expect', '0', '--reason', 'auc 0.8'], fakeRegistry({ setAlias }));
    expect(code).toBe(ExitCode.Ok);
    expect(setAlias).toHaveBeenCalledWith({
      modelName: 'flights-delay',
      alias: 'production',
      version: 2,
      expectedCurrentVersion: 0,
      reason: 'auc 0.8',
      overrideGate: false,
      validateOnly: false,
    });
    expect(cli.stdout.text).toContain('production -> version 2');
    expect(cli.stdout.text).toContain('gate: passed');
  });

  it('leaves expectedCurrentVersion unset without --expect (an unconditional move)', async () => {
    const setAlias = jest.fn().mockResolvedValue({ alias: anAlias(), gate: passingGate });
    await run(['aliases', 'set', 'm', 'production', '2', '--reason', 'r'], fakeRegistry({ setAlias }));
    expect(setAlias.mock.calls[0][0]).not.toHaveProperty('expectedCurrentVersion');
  });

  it('exits 4 and lists every failing gate rule on stderr', async () => {
    const { code, cli } = await run(['aliases', 'set', 'm', 'production', '1', '--reason', 'r'], fakeRegistry({ setAlias: jest.fn().mockRejectedValue(await gateFailure()) }));
    expect(code).toBe(ExitCode.GateFailed);
    expect(cli.stdout.text).toBe('');
    expect(cli.stderr.text).toBe(
      'strata: FAILED_PRECONDITION: gate of production refused version 1\n  GATE_METRIC auc: auc 0.65 < min 0.7\n  GATE_EVIDENCE offline-eval: evidence offline-eval missing\n',
    );
  });

  it('with --json writes the error as one JSON object on stderr', async () => {
    const { code, cli } = await run(['--json', 'aliases', 'set', 'm', 'production', '1', '--reason', 'r'], fakeRegistry({ setAlias: jest.fn().mockRejectedValue(await gateFailure()) }));
    expect(code).toBe(4);
    expect(JSON.parse(cli.stderr.text)).toEqual({
      error: {
        status: 'FAILED_PRECONDITION',
        code: 9,
        message: 'gate of production refused version 1',
        exitCode: 4,
        fieldViolations: [],
        preconditionViolations: [
          { type: 'GATE_METRIC', subject: 'auc', description: 'auc 0.65 < min 0.7' },
          { type: 'GATE_EVIDENCE', subject: 'offline-eval', description: 'evidence offline-eval missing' },
        ],
      },
    });
  });

  it('with --validate-only exits 4 when the gate would refuse, after printing the evaluation', async () => {
    const gate = { passed: false, overridden: false, checks: [{ ...passingGate.checks[0]!, passed: false, detail: 'auc 0.65 < min 0.7' }] };
    const { code, cli } = await run(['aliases', 'set', 'm', 'production', '1', '--reason', 'r', '--validate-only'], fakeRegistry({ setAlias: jest.fn().mockResolvedValue({ alias: null, gate }) }));
    expect(code).toBe(ExitCode.GateFailed);
    expect(cli.stdout.text).toContain('the gate would refuse');
    expect(cli.stderr.text).toContain('auc: auc 0.65 < min 0.7');
  });
});

describe('strata exit codes and errors', () => {
  it.each([
    [status.NOT_FOUND, ExitCode.NotFound],
    [status.ABORTED, ExitCode.Conflict],
    [status.ALREADY_EXISTS, ExitCode.Conflict],
    [status.PERMISSION_DENIED, ExitCode.Auth],
    [status.INVALID_ARGUMENT, ExitCode.InvalidArgument],
    [status.DEADLINE_EXCEEDED, ExitCode.Unavailable],
    [status.INTERNAL, ExitCode.Failure],
  ])('exits with the code of status %i', async (grpcStatus, exitCode) => {
    const { code, cli } = await run(['models', 'get', 'm'], fakeRegistry({ getModel: jest.fn().mockRejectedValue(grpcError(grpcStatus, 'nope')) }));
    expect(code).toBe(exitCode);
    expect(cli.stderr.text.split('\n')[0]).toBe(`strata: ${status[grpcStatus]}: nope`);
  });

  it('prints field violations of INVALID_ARGUMENT', async () => {
    const { encodeStatusDetails, InvalidArgumentError } = await import('@strata/service-runtime');
    const invalid = new InvalidArgumentError('bad traffic policy', [{ field: 'policy.splits', description: 'percentages sum to 90, not 100' }]);
    const error = grpcError(status.INVALID_ARGUMENT, invalid.message, encodeStatusDetails(invalid));
    const { code, cli } = await run(['traffic', 'set', 'm', 'production=90', '--reason', 'r'], fakeRegistry({ setTrafficPolicy: jest.fn().mockRejectedValue(error) }));
    expect(code).toBe(ExitCode.InvalidArgument);
    expect(cli.stderr.text).toContain('  field policy.splits: percentages sum to 90, not 100');
  });

  it('never prints the token, also when it is refused', async () => {
    const createModel = jest.fn().mockRejectedValue(grpcError(status.UNAUTHENTICATED, 'invalid token'));
    const { code, cli } = await run(['models', 'create', 'm', '--token', 's3cr3t-token'], fakeRegistry({ createModel }));
    expect(code).toBe(ExitCode.Auth);
    expect(cli.stderr.text + cli.stdout.text).not.toContain('s3cr3t-token');
    expect(cli.connections[0]?.token).toBe('s3cr3t-token');
  });

  it('exits 2 on usage errors before calling the registry', async () => {
    const registry = fakeRegistry();
    expect((await run(['aliases', 'set', 'm', 'production', '1'], registry)).code).toBe(ExitCode.Usage);
    expect((await run(['models', 'frobnicate'], registry)).code).toBe(ExitCode.Usage);
    expect((await run(['aliases', 'set', 'm', 'production', 'two', '--reason', 'r'], registry)).code).toBe(ExitCode.Usage);
    expect((await run(['versions', 'register', 'm', '/does/not/exist.onnx'], registry)).code).toBe(ExitCode.Usage);
    expect((await run([], registry)).code).toBe(ExitCode.Usage);
  });

  it('with --json reports usage errors as a JSON error too', async () => {
    const { code, cli } = await run(['--json', 'aliases', 'set', 'm', 'production', '1'], fakeRegistry());
    expect(code).toBe(ExitCode.Usage);
    expect(JSON.parse(cli.stderr.text)).toEqual({
      error: { status: 'USAGE', message: "required option '--reason <text>' not specified", exitCode: 2, fieldViolations: [], preconditionViolations: [] },
    });
  });
});

describe('strata global options', () => {
  it('takes address and token from STRATA_REGISTRY and STRATA_TOKEN, flags winning', async () => {
    const getModel = jest.fn().mockRejectedValue(grpcError(status.NOT_FOUND, 'no'));
    const env = { STRATA_REGISTRY: 'registry:1', STRATA_TOKEN: 'env-token' };
    const fromEnv = await run(['models', 'get', 'm'], fakeRegistry({ getModel }), env);
    expect(fromEnv.cli.connections).toEqual([{ address: 'registry:1', token: 'env-token', timeoutMs: 30_000, json: false }]);
    const fromFlags = await run(['models', 'get', 'm', '--registry', 'other:2', '--token', 'flag-token', '--timeout', '5s'], fakeRegistry({ getModel }), env);
    expect(fromFlags.cli.connections).toEqual([{ address: 'other:2', token: 'flag-token', timeoutMs: 5_000, json: false }]);
    const defaults = await run(['models', 'get', 'm'], fakeRegistry({ getModel }));
    expect(defaults.cli.connections[0]).toMatchObject({ address: '127.0.0.1:50053', token: undefined });
  });

  it('answers --help on every command and subcommand with exit 0', async () => {
    const paths: string[][] = [];
    const walk = (command: Command, prefix: string[]): void => {
      for (const sub of command.commands) {
        paths.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(buildProgram(fakeCli(fakeRegistry()).deps), []);
    expect(paths.length).toBeGreaterThan(25);
    for (const path of [[], ...paths]) {
      const { code, cli } = await run([...path, '--help'], fakeRegistry());
      expect({ path, code }).toEqual({ path, code: 0 });
      expect(cli.stdout.text).toContain(`Usage: strata${path.length === 0 ? '' : ` ${path.join(' ')}`}`);
    }
    const { cli } = await run(['--help'], fakeRegistry());
    expect(cli.stdout.text).toContain('Exit codes:');
    expect(cli.stdout.text).toContain('STRATA_TOKEN');
  });
});

describe('strata tokens hash', () => {
  it("prints the sha256 of the token on stdin, or a whole REGISTRY_TOKENS entry", async () => {
    const hash = createHash('sha256').update('s3cr3t').digest('hex');
    const plain = fakeCli(fakeRegistry(), { stdin: 's3cr3t\n' });
    expect(await runCli(['tokens', 'hash'], plain.deps)).toBe(0);
    expect(plain.stdout.text).toBe(`${hash}\n`);
    const entry = fakeCli(fakeRegistry(), { stdin: 's3cr3t' });
    expect(await runCli(['tokens', 'hash', '--subject', 'ci-bot', '--role', 'ci'], entry.deps)).toBe(0);
    expect(entry.stdout.text).toBe(`ci-bot:ci:${hash}\n`);
    const empty = fakeCli(fakeRegistry(), { stdin: '' });
    expect(await runCli(['tokens', 'hash'], empty.deps)).toBe(ExitCode.Usage);
  });
});

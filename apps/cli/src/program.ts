import { Command, CommanderError, Option } from 'commander';
import { registerAliasCommands } from './commands/aliases';
import { registerAuditCommand } from './commands/audit';
import { registerEvidenceCommands } from './commands/evidence';
import { registerImportCommand, registerJobCommands, registerMaterializeCommand } from './commands/feature-jobs';
import { registerQuarantineCommands } from './commands/feature-quarantine';
import { registerFeatureSetCommands, registerSourceCommands } from './commands/feature-sources';
import { registerFeatureCommands } from './commands/features';
import { registerGateCommands } from './commands/gates';
import { registerKeyCommands } from './commands/keys';
import { registerModelCommands } from './commands/models';
import { registerReleaseCommands } from './commands/releases';
import { registerTokenCommands } from './commands/tokens';
import { registerTraceCommand } from './commands/trace';
import { registerTrafficCommands } from './commands/traffic';
import { registerTrainCommands } from './commands/train';
import { registerVersionCommands } from './commands/versions';
import { type CliDeps, DEFAULT_FEATURES, DEFAULT_REGISTRY, DEFAULT_TRAINING } from './context';
import { renderErrorJson, renderErrorReport, reportOf, UsageError } from './errors';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes';

const ENVIRONMENT_HELP = `
Environment:
  STRATA_REGISTRY  registry-service gRPC address (default ${DEFAULT_REGISTRY}); --registry wins
  STRATA_FEATURES  feature-service gRPC address (default ${DEFAULT_FEATURES}); --features wins
  STRATA_TRAINING  training-runner gRPC address (default ${DEFAULT_TRAINING}); --training wins
  STRATA_GATEWAY   gateway gRPC address for \`strata keys\` (default 127.0.0.1:50050); --gateway wins
  STRATA_TOKEN     bearer token for mutating calls; --token wins. Prefer the variable:
                   command-line flags are visible to other users in \`ps\`. Never printed.
  STRATA_ADMIN_TOKEN  gateway admin token for \`strata keys\`; --token wins. Never printed.
  STRATA_TRACES    trace collector URL for \`strata trace\` (default http://127.0.0.1:4318); --collector wins`;

/**
 * Builds the `strata` command tree. Usage errors throw CommanderError (exitOverride); their
 * message goes to `onUsageError` when given, else to stderr.
 */
export function buildProgram(deps: CliDeps, onUsageError?: (message: string) => void): Command {
  const program = new Command('strata')
    .description('strata: the model registry, the feature store, training, API keys and traces from CI pipelines and terminals (register, gate, promote, roll back, watch; sources, feature sets, imports, materialization, served features; training jobs; keys; request traces)')
    .addOption(new Option('--registry <host:port>', `registry-service gRPC address (env STRATA_REGISTRY, default ${DEFAULT_REGISTRY})`))
    .addOption(new Option('--features <host:port>', `feature-service gRPC address (env STRATA_FEATURES, default ${DEFAULT_FEATURES})`))
    .addOption(new Option('--training <host:port>', `training-runner gRPC address (env STRATA_TRAINING, default ${DEFAULT_TRAINING})`))
    .addOption(new Option('--token <token>', 'bearer token for mutating calls (env STRATA_TOKEN; prefer the env)'))
    .addOption(new Option('--timeout <duration>', 'deadline of each call, e.g. 30s, 2m (default 30s; not for releases watch)'))
    .addOption(new Option('--json', 'print one machine-readable JSON object per command on stdout (errors: {"error": ...} on stderr)'))
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => deps.io.stdout.write(text),
      writeErr: (text) => deps.io.stderr.write(text),
      outputError: (text, write) => (onUsageError === undefined ? write(text) : onUsageError(text.replace(/^error: /, '').trim())),
    })
    .exitOverride()
    .addHelpText('after', `${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}\n\nRun \`strata <command> --help\` for the options of a command.`);

  registerModelCommands(program, deps);
  registerVersionCommands(program, deps);
  registerEvidenceCommands(program, deps);
  registerAliasCommands(program, deps);
  registerGateCommands(program, deps);
  registerTrafficCommands(program, deps);
  registerAuditCommand(program, deps);
  registerReleaseCommands(program, deps);
  registerTokenCommands(program, deps);
  // the feature store (feature-service)
  registerSourceCommands(program, deps);
  registerFeatureSetCommands(program, deps);
  registerImportCommand(program, deps);
  registerMaterializeCommand(program, deps);
  registerJobCommands(program, deps);
  registerFeatureCommands(program, deps);
  registerQuarantineCommands(program, deps);
  // training jobs (training-runner)
  registerTrainCommands(program, deps);
  registerKeyCommands(program, deps);
  registerTraceCommand(program, deps);
  return program;
}

/**
 * Runs `strata` with `args` (without `node` and the script) and returns the exit code.
 * Errors go to stderr: text, or one `{"error": ...}` JSON line when --json is given.
 */
export async function runCli(args: readonly string[], deps: CliDeps): Promise<ExitCode> {
  const json = args.includes('--json');
  let usageError: string | undefined;
  const program = buildProgram(deps, json ? (message) => (usageError = message) : undefined);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
      // Commander printed the message (or the help of a command group) already, unless --json.
      if (usageError !== undefined) deps.io.stderr.write(renderErrorJson(await reportOf(new UsageError(usageError))));
      return ExitCode.Usage;
    }
    const report = await reportOf(error);
    deps.io.stderr.write(json ? renderErrorJson(report) : renderErrorReport(report));
    return report.exitCode;
  }
}

import { rmSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_OTLP_HTTP_PORT, OtlpTraceReceiver } from '@strata/trace-collector';
import { localAdminToken } from './dev-token';
import { type LauncherOptions, parseCommandLine } from './launcher-options';
import { Platform, READY_TIMEOUT_MS } from './platform';
import { runQuickstart } from './quickstart-run';
import { describeExit } from './service-process';
import { platformServices, type ServiceSpec } from './services';
import { claimDataDir } from './single-instance';
import { Supervisor, systemScheduler } from './supervisor';

// `npm start`: runs the whole platform on this machine, each service as its own process on
// an embedded database under .data/, restarts a service that crashes, and stops everything
// cleanly on Ctrl-C.
// dist/launcher/tools/launcher/src -> the repository root
const workspaceRoot = path.resolve(__dirname, '../../../../..');

const commandLine = parseCommandLine(process.argv.slice(2), { dataDir: path.join(workspaceRoot, '.data'), readyTimeoutSeconds: READY_TIMEOUT_MS / 1000 });

const useColour = commandLine.kind === 'run' && !commandLine.options.noColor && process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
const paint = (colour: number, text: string): string => (useColour ? `\u001b[${colour}m${text}\u001b[0m` : text);
const width = Math.max(...platformServices().map((s) => s.name.length));

/** The data folder of the vega-datasets package (its `exports` map hides it; `main` points into build/). */
function vegaDataDir(): string {
  return path.join(path.dirname(require.resolve('vega-datasets')), '..', 'data');
}

/**
 * The OTLP receiver the services export spans to (port 4318, or port-base + 10), keeping them in
 * `<dataDir>/traces.jsonl` across restarts. Without it (port taken) the platform runs untraced.
 */
async function startTraceReceiver(dataDir: string, portBase: number | undefined): Promise<OtlpTraceReceiver | undefined> {
  const receiver = new OtlpTraceReceiver({ spoolFile: path.join(dataDir, 'traces.jsonl'), log: (line) => print(undefined, 40, `trace receiver: ${line}`) });
  const port = portBase === undefined ? DEFAULT_OTLP_HTTP_PORT : portBase + 10;
  try {
    await receiver.start(port);
    print(undefined, 30, `trace receiver (OTLP/HTTP) on ${receiver.url}: npx strata trace <request-id> shows a request's spans`);
    return receiver;
  } catch (error) {
    print(undefined, 40, `no trace receiver: port ${port} is taken (${error instanceof Error ? error.message : String(error)}); set OTEL_EXPORTER_OTLP_ENDPOINT to use your own collector`);
    return undefined;
  }
}

function print(service: ServiceSpec | undefined, level: number, text: string): void {
  const time = new Date().toISOString().slice(11, 19);
  const who = service === undefined ? paint(1, 'strata'.padEnd(width)) : paint(service.colour, service.name.padEnd(width));
  const body = level >= 50 ? paint(31, text) : level >= 40 ? paint(33, text) : text;
  console.log(`${paint(90, time)} ${who} ${body}`);
}

async function main(args: LauncherOptions): Promise<number> {
  const startedAt = Date.now();
  const quickstartStop = new AbortController();
  const dataDir = path.resolve(args.dataDir);
  if (args.reset) {
    rmSync(dataDir, { recursive: true, force: true });
    print(undefined, 30, `--reset: removed ${dataDir}`);
  }
  try {
    process.once('exit', claimDataDir(dataDir));
  } catch (error) {
    print(undefined, 50, error instanceof Error ? error.message : String(error));
    return 1;
  }
  const { portBase } = args;
  const services = platformServices(portBase);
  const adminToken = localAdminToken(dataDir);
  // The arrows of the architecture: who calls whom, on this machine's ports.
  const grpcOf = (name: string): string => `127.0.0.1:${services.find((service) => service.name === name)?.grpcPort ?? 0}`;
  // With no OTLP endpoint of the caller's, spans go to a receiver of our own, for `strata trace`.
  const traces = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] === undefined ? await startTraceReceiver(dataDir, portBase) : undefined;
  const tracing = traces === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: traces.url, OTEL_BSP_SCHEDULE_DELAY: '500' };
  const serviceEnv = {
    // The flights files ship in the vega-datasets package: ImportFile paths resolve there.
    'feature-service': { ...tracing, IMPORT_ROOT: process.env['IMPORT_ROOT'] ?? vegaDataDir() },
    'registry-service': { ...tracing, REGISTRY_TOKENS: process.env['REGISTRY_TOKENS'] ?? adminToken.tokensEntry, FEATURE_SERVICE_ADDRESS: grpcOf('feature-service') },
    'training-runner': { ...tracing, FEATURE_SERVICE_ADDRESS: grpcOf('feature-service'), REGISTRY_ADDRESS: grpcOf('registry-service'), REGISTRY_TOKEN: adminToken.token },
    'inference-service': { ...tracing, REGISTRY_ADDRESS: grpcOf('registry-service'), FEATURE_SERVICE_ADDRESS: grpcOf('feature-service') },
    gateway: { ...tracing, INFERENCE_ADDRESS: grpcOf('inference-service'), GATEWAY_ADMIN_TOKENS: process.env['GATEWAY_ADMIN_TOKENS'] ?? adminToken.tokensEntry },
  };
  const platform = new Platform(services, { workspaceRoot, dataDir, logLevel: args.logLevel, serviceEnv, print }, args.readyTimeoutMs);
  // Watches the services once all are SERVING: a crash is restarted, the others keep serving.
  const supervisor = new Supervisor(platform.running, {
    scheduler: systemScheduler,
    waitUntilServing: (process, signal) => platform.waitUntilServing(process, { signal }),
    report: (level, text) => print(undefined, level, text),
  });

  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping: Promise<number> | undefined;
  const stop = (reason: string, exitCode: number): Promise<number> => {
    quickstartStop.abort();
    // Before any service is stopped: their exits from here on are the shutdown, not crashes.
    supervisor.stop();
    stopping ??= (async () => {
      print(undefined, 30, `${reason}: stopping all services (each drains its in-flight calls)…`);
      const statuses = await platform.stop();
      await traces?.stop();
      // A service caught starting again after a crash may die of the SIGTERM before its handler is in: stopped all the same.
      const recovering = new Set(supervisor.outcomes().filter((outcome) => outcome.recovering).map((outcome) => outcome.name));
      const failed = [...statuses].filter(([name, status]) => status.code !== 0 && !(recovering.has(name) && status.signal === 'SIGTERM'));
      for (const [name, status] of failed) print(undefined, 40, `${name} exited (${describeExit(status)}) while stopping`);
      const outcomes = supervisor.outcomes().filter((outcome) => outcome.crashes > 0);
      for (const { name, crashes, restarts, gaveUp, recovering: restarting } of outcomes) {
        const end = gaveUp ? 'given up on' : restarting ? 'was being restarted when stopped' : 'SERVING again';
        print(undefined, 40, `${name} crashed ${crashes} time(s), restarted to SERVING ${restarts} time(s); ${end}`);
      }
      const notRunning = services.filter((service) => !statuses.has(service.name)).map((service) => service.name);
      if (failed.length > 0) print(undefined, 30, `${failed.length} service(s) did not stop cleanly`);
      else if (notRunning.length === 0) print(undefined, 30, 'all services stopped cleanly');
      else print(undefined, 30, `the running services stopped cleanly; not running at the end: ${notRunning.join(', ')}`);
      // A service given up on fails the run; one restarted (or waiting for its restart) does not.
      const code = failed.length === 0 && !outcomes.some((outcome) => outcome.gaveUp) ? exitCode : 1;
      finish(code);
      return code;
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void stop(`${signal} received`, 0));
  }

  print(undefined, 30, `starting ${services.length} services; logs in ${path.join(dataDir, 'logs')}`);
  try {
    const reports = await platform.start();
    const slowest = Math.max(...reports.map((r) => r.readyAfterMs));
    console.log('');
    console.log(paint(1, `  ${'service'.padEnd(width)}  gRPC                HTTP (health, metrics)        pid`));
    for (const { service, pid } of reports) {
      const grpc = `127.0.0.1:${service.grpcPort}`.padEnd(18);
      const http = `http://127.0.0.1:${service.httpPort}/metrics`.padEnd(28);
      console.log(`  ${paint(service.colour, service.name.padEnd(width))}  ${grpc}  ${http}  ${String(pid)}`);
    }
    console.log('');
    const registry = services.find((s) => s.name === 'registry-service');
    print(undefined, 30, `registry admin token for the strata CLI: export STRATA_REGISTRY=127.0.0.1:${registry?.grpcPort ?? 50053} STRATA_TOKEN=$(cat ${adminToken.path})`);
    print(undefined, 30, `Strata is up: ${reports.length} services SERVING after ${(slowest / 1000).toFixed(1)} s. Ctrl-C stops everything.`);
  } catch (error) {
    if (stopping !== undefined) return finished; // stopped on purpose while starting
    print(undefined, 50, error instanceof Error ? error.message : String(error));
    return stop('start-up failed', 1);
  }

  supervisor.watch();

  if (args.quickstart) {
    try {
      await runQuickstart({ workspaceRoot, dataDir, services, adminToken: adminToken.token, tracesUrl: traces?.url, startedAt, print, paint, colour: useColour, signal: quickstartStop.signal });
      print(undefined, 30, 'the platform keeps running; Ctrl-C stops everything.');
    } catch (error) {
      if (stopping !== undefined) return finished;
      print(undefined, 50, `quickstart failed: ${error instanceof Error ? error.message : String(error)}`);
      print(undefined, 40, `the services keep running (logs in ${path.join(dataDir, 'logs')}); Ctrl-C stops them`);
    }
  }
  return finished;
}

if (commandLine.kind === 'help') {
  process.stdout.write(commandLine.text);
} else if (commandLine.kind === 'error') {
  process.stderr.write(`${commandLine.message}\n`);
  process.exitCode = 2;
} else {
  main(commandLine.options).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

import type { gatewayV1 } from '@strata/contracts';
import { callExamples, FlightsQuickstart, PlatformClients } from '@strata/quickstart';
import { PLATFORM_SERVICES, PlatformProcesses, type ServiceName, workspaceRoot } from '@strata/testing';
import path from 'node:path';
import type { BenchPlatform, ServedModel } from '../scenario';
import { cpuProfileArgs } from './profile';

export const MODEL = 'flight-delay';

/** The shared platform and how to stop it (the runner's job, after the last scenario). */
export interface RunningPlatform extends BenchPlatform {
  stop(): Promise<void>;
}

/** Options of {@link startBenchPlatform}. */
export interface BenchPlatformOptions {
  /** Every service writes a CPU profile into `<profileDir>/<service>` when it stops. */
  readonly profileDir?: string;
  /**
   * Spans exported over OTLP to a receiver in the runner, every request sampled (`always_on`):
   * what tracing costs. Default off: a benchmark measures the service, not the span export.
   */
  readonly tracing?: boolean;
}

/**
 * Starts the five built services (logLevel warn, tracing off unless asked), runs the flights
 * quickstart (import, materialize, train, promote, serve flight-delay v1), makes an API key with
 * a rate limit no benchmark reaches, and downloads the served model's bytes and the example input
 * row for the in-process floor.
 */
export async function startBenchPlatform(log: (line: string) => void, options: BenchPlatformOptions = {}): Promise<RunningPlatform> {
  const { profileDir, tracing = false } = options;
  const nodeArgs = profileDir === undefined ? undefined : Object.fromEntries(PLATFORM_SERVICES.map((service: ServiceName) => [service, cpuProfileArgs(path.join(profileDir, service))]));
  const env = tracing ? Object.fromEntries(PLATFORM_SERVICES.map((service: ServiceName) => [service, { OTEL_TRACES_SAMPLER: 'always_on' }])) : undefined;
  const processes = await PlatformProcesses.start({ tracing, logLevel: 'warn', ...(nodeArgs === undefined ? {} : { nodeArgs }), ...(env === undefined ? {} : { env }) });
  let clients: PlatformClients | undefined;
  try {
    clients = new PlatformClients(processes.addresses, { registryToken: processes.adminToken, gatewayAdminToken: processes.adminToken });
    log('platform up; running the flights quickstart (flight-delay v1)');
    const outcome = await new FlightsQuickstart(clients, {
      examplesDir: path.join(workspaceRoot, 'examples/flights'),
      reporter: { step: (index, total, title) => log(`  quickstart [${index}/${total}] ${title}`), progress: () => undefined, info: () => undefined },
    }).run();
    const created = await clients.gatewayAdmin.call<gatewayV1.CreateApiKeyResponse>('createApiKey', {
      name: 'bench',
      allowedModels: [outcome.modelName],
      rateLimit: { requestsPerSecond: 100_000, burst: 100_000 },
      description: 'npm run bench',
    });
    const model = await servedModel(clients, outcome.modelName, outcome.version, created.secret);
    const ready = clients;
    return { processes, clients: ready, model, apiKey: created.secret, stop: () => stopPlatform(processes, ready) };
  } catch (error) {
    await stopPlatform(processes, clients);
    throw error;
  }
}

async function stopPlatform(processes: PlatformProcesses, clients: PlatformClients | undefined): Promise<void> {
  clients?.close();
  await processes.stop();
}

async function servedModel(clients: PlatformClients, name: string, version: number, key: string): Promise<ServedModel> {
  const chunks: Buffer[] = [];
  for await (const message of clients.registry.stream<{ chunk?: Buffer }>('downloadArtifact', { model: { name, version } })) {
    if (message.chunk !== undefined && message.chunk !== null) chunks.push(message.chunk);
  }
  // The Open Inference Protocol example's tensor: exactly the row the README tells a person to send.
  const examples = await callExamples(clients, { modelName: name, version, key, protosDir: path.join(workspaceRoot, 'protos') });
  const body = /-d '(.*)'$/m.exec(examples.openInference)?.[1];
  const tensor = (JSON.parse(body ?? '{}') as { inputs?: { name: string; data: number[] }[] }).inputs?.[0];
  if (tensor === undefined) throw new Error(`no input tensor in the Open Inference Protocol example:\n${examples.openInference}`);
  return { name, version, bytes: Buffer.concat(chunks), input: { name: tensor.name, values: tensor.data } };
}

import { callExamples, ensureApiKey, FlightsQuickstart, type PlatformAddresses, PlatformClients, predictOverRest, type QuickstartReporter } from '@strata/quickstart';
import { renderTrace, waitForTrace } from '@strata/trace-collector';
import path from 'node:path';
import type { ServiceSpec } from './services';

/** How the launcher prints: `service` undefined = the launcher itself. */
export type Print = (service: ServiceSpec | undefined, level: number, text: string) => void;

export interface QuickstartRunOptions {
  readonly workspaceRoot: string;
  readonly dataDir: string;
  readonly services: readonly ServiceSpec[];
  readonly adminToken: string;
  /** Base URL of the OTLP receiver the services export to, for `strata trace`. */
  readonly tracesUrl?: string;
  /** When the launcher started (ms since epoch): the first prediction reports its time from here. */
  readonly startedAt: number;
  readonly print: Print;
  readonly paint: (colour: number, text: string) => string;
  /** Whether the console gets ANSI colours. */
  readonly colour: boolean;
  /** Aborted on Ctrl-C: the pipeline stops at its next step. */
  readonly signal: AbortSignal;
}

/** What the quickstart ended with, for the launcher's last lines. */
export interface QuickstartSummary {
  readonly requestId: string;
  readonly traceId: string;
}

function addressesOf(services: readonly ServiceSpec[]): PlatformAddresses {
  const spec = (name: string): ServiceSpec => {
    const found = services.find((service) => service.name === name);
    if (found === undefined) throw new Error(`no ${name} in the platform`);
    return found;
  };
  const grpc = (name: string): string => `127.0.0.1:${spec(name).grpcPort}`;
  return {
    featureService: grpc('feature-service'),
    trainingRunner: grpc('training-runner'),
    registry: grpc('registry-service'),
    inference: grpc('inference-service'),
    gatewayGrpc: grpc('gateway'),
    gatewayHttp: `http://127.0.0.1:${spec('gateway').httpPort}`,
  };
}

/**
 * Runs the flights pipeline on the started platform, then prints the calls a person can paste
 * and makes the first prediction itself.
 */
export async function runQuickstart(options: QuickstartRunOptions): Promise<QuickstartSummary> {
  const { print, paint, signal } = options;
  const clients = new PlatformClients(addressesOf(options.services), { registryToken: options.adminToken, gatewayAdminToken: options.adminToken });
  const checkpoint = (): void => {
    if (signal.aborted) throw new Error('stopped');
  };
  const reporter: QuickstartReporter = {
    step: (index, total, title) => {
      checkpoint();
      print(undefined, 30, paint(1, `[${index}/${total}] ${title}`));
    },
    progress: (text) => print(undefined, 30, paint(90, `      ${text}`)),
    info: (text) => print(undefined, 30, `      ${text}`),
  };
  try {
    const outcome = await new FlightsQuickstart(clients, { examplesDir: path.join(options.workspaceRoot, 'examples', 'flights'), reporter }).run();
    checkpoint();
    if (outcome.reused.length > 0) print(undefined, 30, `reused from an earlier start: ${outcome.reused.join(', ')} (npm start -- --reset starts clean)`);
    const { key, created } = await ensureApiKey(clients, path.join(options.dataDir, 'quickstart-api-key.json'), outcome.modelName);
    print(undefined, 30, `API key ${key.id} ${created ? 'created' : 'reused'} (kept in ${path.join(options.dataDir, 'quickstart-api-key.json')})`);
    const examples = await callExamples(clients, {
      modelName: outcome.modelName,
      version: outcome.version,
      key: key.secret,
      protosDir: path.join(options.workspaceRoot, 'protos'),
    });
    checkpoint();
    const prediction = await predictOverRest(clients.addresses.gatewayHttp, key.secret, outcome.modelName);
    if (prediction.status !== 200) throw new Error(`the first prediction failed with HTTP ${prediction.status}: ${JSON.stringify(prediction.body)}`);
    const seconds = ((Date.now() - options.startedAt) / 1000).toFixed(1);
    const block = (title: string, text: string): void => {
      console.log(`\n  ${paint(1, title)}\n${text.replace(/^/gm, '    ')}`);
    };
    block('REST', examples.rest);
    block('Open Inference Protocol (REST)', examples.openInference);
    block('gRPC (grpcurl)', examples.grpc);
    console.log('');
    print(undefined, 30, paint(32, `first prediction, ${seconds} s after start:`));
    console.log(`    ${JSON.stringify(prediction.body)}`);
    console.log(`    request ID        ${prediction.requestId}`);
    console.log(`    model version     ${prediction.modelVersion}`);
    console.log(`    feature contract  ${prediction.featureContract}`);
    console.log(`    trace ID          ${prediction.traceId || '(tracing off)'}`);
    if (options.tracesUrl !== undefined && prediction.traceId !== '') {
      // Spans reach the receiver when each service's exporter flushes (every 500 ms here).
      const hops = (spans: readonly { serviceName: string }[]): number => new Set(spans.map((span) => span.serviceName)).size;
      const trace = await waitForTrace(options.tracesUrl, prediction.requestId, { waitMs: 5_000, until: (result) => hops(result.spans) >= 3 });
      console.log(`\n  ${paint(1, 'its path through the services')} (spans received over OTLP; again with: npx strata trace ${prediction.requestId})`);
      console.log(renderTrace(trace.spans, { colour: options.colour, requestId: prediction.requestId }).replace(/^/gm, '    '));
    }
    return { requestId: prediction.requestId, traceId: prediction.traceId };
  } finally {
    clients.close();
  }
}

/**
 * Gateway overhead, measured: single-row predictions at fixed rates (open loop: requests are
 * sent on schedule whether or not earlier ones answered, and latency counts from the scheduled
 * time, so a stall is not hidden) against
 *   - inference-service directly (gRPC strata.inference.v1 Predict) — the baseline,
 *   - the gateway over gRPC (strata.gateway.v1 Predict, API key, rate limit, breaker),
 *   - the gateway over REST (POST /v1/models/{name}:predict), when the REST API is there.
 * Prints p50/p99 per rate and the gateway's added latency (gateway − direct, same run).
 *
 *   npx nx run gateway:bench            (-- --seconds 5 --rates 200,500,1000)
 */
import { Metadata } from '@grpc/grpc-js';
import { aLinearModel, bearer, buildServiceForTest, GrpcTestClient, type ServiceBuild, type ServiceProcess, startServiceProcess, TestRegistry } from '@strata/testing';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request as httpRequest } from 'node:http';

const MODEL = 'delays';
const ADMIN_TOKEN = 'bench-admin-token';

interface Options {
  seconds: number;
  rates: number[];
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return { seconds: Number(value('--seconds') ?? 5), rates: (value('--rates') ?? '200,500,1000').split(',').map(Number) };
}

interface RateResult {
  sent: number;
  failed: number;
  p50: number;
  p99: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Sends `rate` calls per second for `seconds`, on schedule; latency from the scheduled time. */
async function openLoop(rate: number, seconds: number, call: () => Promise<unknown>): Promise<RateResult> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now() + 20;
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const scheduled = start + index * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      call().then(
        () => void latencies.push(performance.now() - scheduled),
        () => {
          failed += 1;
          latencies.push(performance.now() - scheduled);
        },
      ),
    );
  }
  await Promise.all(pending);
  const sorted = Float64Array.from(latencies).sort();
  return { sent: total, failed, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

function grpcPredict(client: GrpcTestClient, metadata: () => Metadata): () => Promise<unknown> {
  const request = { model: { name: MODEL }, inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', '3'], contents: { fp32Contents: [0.5, 1, 2] } }] };
  return () => client.call('predict', request, metadata());
}

function restPredict(baseUrl: string, key: string): () => Promise<unknown> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(`/v1/models/${MODEL}:predict`, baseUrl);
  const body = JSON.stringify({ inputs: { features: [[0.5, 1, 2]] } });
  return () =>
    new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(undefined) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * Inference stopped under a steady 100 req/s through the gateway: how fast each request is
 * refused (p50/p99/max of the UNAVAILABLE answers), then inference restarted on the same port:
 * how long from "listening" to the first answered request.
 */
async function outageAndRecovery(inference: ServiceProcess, build: ServiceBuild, env: NodeJS.ProcessEnv, call: () => Promise<unknown>): Promise<ServiceProcess> {
  const ports = { GRPC_PORT: inference.grpcAddress.split(':')[1] as string, HTTP_PORT: new URL(inference.httpUrl).port };
  await inference.stop();
  const refusals: number[] = [];
  for (let index = 0; index < 300; index += 1) {
    const before = performance.now();
    await call().then(
      () => undefined,
      () => refusals.push(performance.now() - before),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const sorted = Float64Array.from(refusals).sort();
  console.log(`\ninference stopped: ${refusals.length}/300 requests refused (UNAVAILABLE), in p50 ${fixed(percentile(sorted, 50))} ms, p99 ${fixed(percentile(sorted, 99))} ms, max ${fixed(sorted[sorted.length - 1] ?? Number.NaN)} ms (aim: < 50 ms)`);
  const restarted = await startServiceProcess(build, { ...env, ...ports });
  const up = performance.now();
  while (!(await call().then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 10));
  console.log(`inference back (listening): first answered request through the gateway after ${fixed(performance.now() - up)} ms (aim: < 1,000 ms; includes inference loading the released model)`);
  return restarted;
}

const fixed = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : String(value));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  let registry: TestRegistry | undefined;
  let inferenceBuild: ServiceBuild | undefined;
  let gatewayBuild: ServiceBuild | undefined;
  let inference: ServiceProcess | undefined;
  let gateway: ServiceProcess | undefined;
  const dirs = [mkdtempSync(path.join(tmpdir(), 'gateway-bench-inference-')), mkdtempSync(path.join(tmpdir(), 'gateway-bench-gateway-'))] as const;
  const clients: GrpcTestClient[] = [];
  try {
    [registry, inferenceBuild, gatewayBuild] = await Promise.all([TestRegistry.start(), buildServiceForTest('inference-service'), buildServiceForTest('gateway')]);
    await registry.createModel(MODEL);
    await registry.setAlias(MODEL, 'production', await registry.register(MODEL, aLinearModel(1)));
    inference = await startServiceProcess(inferenceBuild, { DATA_DIR: dirs[0], REGISTRY_ADDRESS: registry.grpcAddress, LOG_LEVEL: 'warn' });
    const adminHash = createHash('sha256').update(ADMIN_TOKEN, 'utf8').digest('hex');
    gateway = await startServiceProcess(gatewayBuild, { DATA_DIR: dirs[1], INFERENCE_ADDRESS: inference.grpcAddress, GATEWAY_ADMIN_TOKENS: `bench:admin:${adminHash}`, LOG_LEVEL: 'warn', MAX_IN_FLIGHT: '10000', ...(process.env['GATEWAY_NODE_OPTIONS'] === undefined ? {} : { NODE_OPTIONS: process.env['GATEWAY_NODE_OPTIONS'] }) });
    const admin = new GrpcTestClient('gatewayV1', 'ApiKeyAdminService', gateway.grpcAddress);
    clients.push(admin);
    const { secret } = await admin.call<{ secret: string }>('createApiKey', { name: 'bench', allowedModels: [], description: '', rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 } }, bearer(ADMIN_TOKEN));
    const direct = new GrpcTestClient('inferenceV1', 'InferenceService', inference.grpcAddress);
    const viaGateway = new GrpcTestClient('gatewayV1', 'PredictionService', gateway.grpcAddress);
    clients.push(direct, viaGateway);
    const keyed = (): Metadata => {
      const metadata = new Metadata();
      metadata.set('x-api-key', secret);
      return metadata;
    };
    const targets: [string, () => Promise<unknown>][] = [
      ['inference (direct gRPC)', grpcPredict(direct, () => new Metadata())],
      ['gateway gRPC', grpcPredict(viaGateway, keyed)],
    ];
    const rest = restPredict(gateway.httpUrl, secret);
    const restAvailable = await rest().then(
      () => true,
      () => false,
    );
    if (restAvailable) targets.push(['gateway REST', rest]);
    else console.log('(the gateway REST predict route did not answer 2xx: REST skipped)');
    for (const [, call] of targets) for (let i = 0; i < 300; i += 1) await call().catch(() => undefined); // warm-up
    console.log(`services up and warm in ${fixed((performance.now() - started) / 1000)} s; open loop, ${options.seconds} s per rate, single-row Predict of a linear model`);
    console.log(`${'rate/s'.padStart(7)}  ${'target'.padEnd(24)} ${'sent'.padStart(6)} ${'failed'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  added vs direct (p50 / p99)`);
    for (const rate of options.rates) {
      const results = new Map<string, RateResult>();
      for (const [label, call] of targets) results.set(label, await openLoop(rate, options.seconds, call));
      const base = results.get('inference (direct gRPC)') as RateResult;
      for (const [label, result] of results) {
        const added = label.startsWith('gateway') ? `+${fixed(result.p50 - base.p50)} / +${fixed(result.p99 - base.p99)} ms` : '(baseline)';
        console.log(`${String(rate).padStart(7)}  ${label.padEnd(24)} ${String(result.sent).padStart(6)} ${String(result.failed).padStart(6)} ${fixed(result.p50).padStart(8)} ${fixed(result.p99).padStart(8)}  ${added}`);
      }
    }
    inference = await outageAndRecovery(inference, inferenceBuild, { DATA_DIR: dirs[0], REGISTRY_ADDRESS: registry.grpcAddress, LOG_LEVEL: 'warn' }, grpcPredict(viaGateway, keyed));
  } finally {
    for (const client of clients) client.close();
    await gateway?.stop();
    await inference?.stop();
    await registry?.stop();
    await inferenceBuild?.remove();
    await gatewayBuild?.remove();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nbench done in ${fixed((performance.now() - started) / 1000)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

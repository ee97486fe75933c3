// Scenario 4 of issue 9: predict with features on the path (gateway -> inference-service ->
// feature-service): REST /v1 and gRPC gateway Predict with an entity row at 50 / 100 / 200
// requests/s, open loop, next to the tensor-only REST predict (OIP, no feature fetch) at the same
// rates, so the feature hop's cost (with features minus tensor only) reads against D_grpc + D_pg.
// The CPU each service spent per request (from /proc/<pid>/stat) says where the time goes.
import type { ServiceName } from '@strata/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GrpcTarget, type HttpTarget, type LoadResult, type LoadTarget, runOpenLoop } from '../harness/load';
import { cpuMsOf, ticksPerSecond } from '../harness/proc';
import { fixed } from '../harness/stats';
import type { BenchContext, BenchPlatform, Figure, Scenario, ScenarioResult } from '../scenario';

const RATES = [50, 100, 200] as const;
const LOW_RATE = RATES[0];
const SECONDS = { full: 10, quick: 3 };
const TIMEOUT_MS = 5_000;
const WARMUP = 100;
/** A pause before each run, so what a run left queued does not land in the next. */
const SETTLE_MS = 1_000;
export const ROUTE = 'LAX|PHX';
export const DISTANCE = 370;
/** The services on a predict's path, whose CPU time is read around each run. */
const PATH_SERVICES = ['gateway', 'inference-service', 'feature-service'] as const satisfies readonly ServiceName[];

type SeriesKey = 'rest-rows' | 'grpc-rows' | 'rest-tensor';

interface Series {
  readonly key: SeriesKey;
  readonly label: string;
  readonly target: LoadTarget;
}

/** REST /v1 predict with one entity row (inference fetches the route's features): what a client of the platform sends. */
export function restRowsTarget(platform: BenchPlatform): HttpTarget {
  return {
    kind: 'http',
    method: 'POST',
    url: `${platform.processes.addresses.gatewayHttp}/v1/models/${platform.model.name}:predict`,
    headers: { 'content-type': 'application/json', 'x-api-key': platform.apiKey },
    body: JSON.stringify({ rows: [{ entity_id: ROUTE, features: { distance: DISTANCE } }] }),
  };
}

/** REST OIP infer with the example's tensor (no feature fetch); `version` pins it, otherwise the production alias answers. */
export function restTensorTarget(platform: BenchPlatform, version?: number): HttpTarget {
  const { name, input } = platform.model;
  const model = version === undefined ? name : `${name}/versions/${version}`;
  return {
    kind: 'http',
    method: 'POST',
    url: `${platform.processes.addresses.gatewayHttp}/v2/models/${model}/infer`,
    headers: { 'content-type': 'application/json', 'x-api-key': platform.apiKey },
    body: JSON.stringify({ inputs: [{ name: input.name, shape: [1, input.values.length], datatype: 'FP32', data: input.values }] }),
  };
}

/** gRPC gateway `PredictionService/Predict` with the same entity row. */
export function grpcRowsTarget(platform: BenchPlatform): GrpcTarget {
  return {
    kind: 'grpc',
    address: platform.processes.addresses.gatewayGrpc,
    protoKey: 'gatewayV1',
    service: 'PredictionService',
    method: 'Predict',
    request: { model: { name: platform.model.name }, rows: [{ entityId: ROUTE, features: { distance: { doubleValue: DISTANCE } } }] },
    metadata: { 'x-api-key': platform.apiKey },
  };
}

function seriesOf(platform: BenchPlatform): Series[] {
  const { version } = platform.model;
  return [
    { key: 'rest-rows', label: 'REST /v1 predict, entity row', target: restRowsTarget(platform) },
    { key: 'grpc-rows', label: 'gRPC gateway Predict, entity row', target: grpcRowsTarget(platform) },
    { key: 'rest-tensor', label: `REST OIP /v2 infer (v${version}), tensor only`, target: restTensorTarget(platform, version) },
  ];
}

function cpuSnapshot(platform: BenchPlatform): Map<string, number> {
  return new Map(PATH_SERVICES.map((service) => [service, cpuMsOf(platform.processes.process(service)?.child.pid)]));
}

interface Run {
  readonly result: LoadResult;
  /** CPU ms per request (warm-up included in the count), by service. */
  readonly cpuPerRequest: Map<string, number>;
}

type Results = Map<SeriesKey, Map<number, Run>>;

function runOf(results: Results, key: SeriesKey, rate: number): Run {
  const run = results.get(key)?.get(rate);
  if (run === undefined) throw new Error(`no result for ${key} at ${rate}/s`);
  return run;
}

async function measure(context: BenchContext, platform: BenchPlatform, series: readonly Series[]): Promise<Results> {
  const seconds = context.quick ? SECONDS.quick : SECONDS.full;
  const results: Results = new Map(series.map((one) => [one.key, new Map()]));
  // Rate by rate, the series one after the other at each rate (never two loads at once).
  for (const rate of RATES) {
    for (const one of series) {
      await sleep(SETTLE_MS);
      const before = cpuSnapshot(platform);
      const result = await runOpenLoop({ target: one.target, ratePerSecond: rate, count: rate * seconds, timeoutMs: TIMEOUT_MS, warmup: WARMUP });
      const after = cpuSnapshot(platform);
      const requests = result.sent + WARMUP;
      const cpuPerRequest = new Map(PATH_SERVICES.map((service) => [service, ((after.get(service) ?? Number.NaN) - (before.get(service) ?? Number.NaN)) / requests]));
      results.get(one.key)?.set(rate, { result, cpuPerRequest });
      const samples = result.errorSamples.length > 0 ? ` e.g. ${result.errorSamples.join(' | ')}` : '';
      const cpu = PATH_SERVICES.map((service) => `${service} ${fixed(cpuPerRequest.get(service) ?? Number.NaN)}`).join(', ');
      context.log(`${one.key} @${rate}/s: p50 ${fixed(result.stats.p50)} / p99 ${fixed(result.stats.p99)} / p99.9 ${fixed(result.stats.p999)} ms, ${result.errors}/${result.sent} errors${samples}; CPU ms/request: ${cpu}`);
    }
  }
  return results;
}

function figuresOf(context: BenchContext, series: readonly Series[], results: Results): Figure[] {
  const { floors } = context;
  const figures: Figure[] = [];
  for (const one of series) {
    for (const rate of RATES) {
      const { stats, errors } = runOf(results, one.key, rate).result;
      figures.push({ name: `${one.label} @${rate}/s p50`, value: stats.p50, unit: 'ms' });
      figures.push({ name: `${one.label} @${rate}/s p99`, value: stats.p99, unit: 'ms' });
      figures.push({ name: `${one.label} @${rate}/s p99.9`, value: stats.p999, unit: 'ms' });
      figures.push({ name: `${one.label} @${rate}/s errors`, value: errors, unit: 'count' });
    }
  }
  // The feature hop: the same gateway over REST, with and without the feature fetch.
  const hopP50 = { name: 'D_grpc + D_pg p50', value: floors.grpc.p50 + floors.pg.p50 };
  const hopP99 = { name: 'D_grpc + D_pg p99', value: floors.grpc.p99 + floors.pg.p99 };
  for (const rate of RATES) {
    const rows = runOf(results, 'rest-rows', rate).result.stats;
    const tensor = runOf(results, 'rest-tensor', rate).result.stats;
    figures.push({ name: `feature hop @${rate}/s p50 (REST entity row - REST tensor only)`, value: rows.p50 - tensor.p50, unit: 'ms', baseline: hopP50 });
    figures.push({ name: `feature hop @${rate}/s p99 (REST entity row - REST tensor only)`, value: rows.p99 - tensor.p99, unit: 'ms', baseline: hopP99 });
  }
  // Not a target of the issue: a yardstick, shown as a ratio (<= 1 means within it).
  const lowRows = runOf(results, 'rest-rows', LOW_RATE).result.stats;
  const lowTensor = runOf(results, 'rest-tensor', LOW_RATE).result.stats;
  figures.push({
    name: `feature hop p50 @${LOW_RATE}/s against 2 x (D_grpc + D_pg) p50 (a yardstick, not a target)`,
    value: lowRows.p50 - lowTensor.p50,
    unit: 'ms',
    baseline: { name: '2 x (D_grpc + D_pg) p50', value: 2 * hopP50.value },
  });
  // Where the time goes: CPU per request in each service on the path.
  for (const one of series) {
    for (const rate of RATES) {
      const { cpuPerRequest } = runOf(results, one.key, rate);
      for (const service of PATH_SERVICES) figures.push({ name: `CPU per request, ${service}: ${one.label} @${rate}/s`, value: cpuPerRequest.get(service) ?? Number.NaN, unit: 'ms' });
    }
  }
  for (const service of ['inference-service', 'feature-service'] as const) {
    const rows = runOf(results, 'rest-rows', LOW_RATE).cpuPerRequest.get(service) ?? Number.NaN;
    const tensor = runOf(results, 'rest-tensor', LOW_RATE).cpuPerRequest.get(service) ?? Number.NaN;
    figures.push({ name: `CPU per request of the feature hop, ${service} @${LOW_RATE}/s (entity row - tensor only)`, value: rows - tensor, unit: 'ms' });
  }
  return figures;
}

export const predictWithFeaturesScenario: Scenario = {
  name: 'predict-with-features',
  title: 'Predict with features on the path (gateway -> inference -> feature-service) at 50 / 100 / 200 requests/s, next to tensor only (open loop)',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const platform = await context.platform();
    const series = seriesOf(platform);
    const results = await measure(context, platform, series);
    const seconds = context.quick ? SECONDS.quick : SECONDS.full;
    const lowRows = runOf(results, 'rest-rows', LOW_RATE).result.stats;
    const lowTensor = runOf(results, 'rest-tensor', LOW_RATE).result.stats;
    const hop = lowRows.p50 - lowTensor.p50;
    const yardstick = 2 * (context.floors.grpc.p50 + context.floors.pg.p50);
    return {
      scenario: 'predict-with-features',
      title: this.title,
      figures: figuresOf(context, series, results),
      targets: [],
      notes: [
        `${platform.model.name} v${platform.model.version}; entity row ${JSON.stringify({ rows: [{ entity_id: ROUTE, features: { distance: DISTANCE } }] })} over REST /v1 and the same row over gRPC strata.gateway.v1 Predict (inference fetches route_stats for ${ROUTE} from feature-service), next to the OIP tensor-only REST infer (the example row, no feature fetch). ${seconds} s per rate and series (${RATES.map((rate) => rate * seconds).join(' / ')} requests) after ${WARMUP} warm-up calls, timeout ${TIMEOUT_MS} ms, open loop from a separate process.`,
        'Issue 9 names no number for scenario 4: the figures are reported, no target is judged. Feature hop = REST entity row - REST tensor only (same gateway, same model); its baseline is D_grpc + D_pg (one gRPC hop to feature-service and one database round trip, the cost of an uncached fetch).',
        `Yardstick (not a target): feature hop p50 @${LOW_RATE}/s ${fixed(hop)} ms vs 2 x (D_grpc + D_pg) p50 = ${fixed(yardstick)} ms (${fixed(hop / yardstick, 2)}x).`,
        `CPU per request: utime + stime of the gateway, inference-service and feature-service processes from /proc/<pid>/stat read before and after each run (clock tick ${fixed(1000 / ticksPerSecond(), 0)} ms), divided by the run's requests including the ${WARMUP} warm-up calls; idle work in the same window (timers, the 1 s settle pause is outside it) counts too. It says where the time goes: CPU a request costs in each service, against its latency.`,
      ],
    };
  },
};

// Scenario 1 of issue 9: single-row predictions through the gateway at 200 / 500 / 1,000
// requests/s, open loop, over REST and gRPC: p50, p99, p99.9, errors, and the overhead above an
// in-process `session.run` of the same model (D_ort), judged against the loopback floors.
import { setTimeout as sleep } from 'node:timers/promises';
import { type LoadResult, type LoadTarget, runOpenLoop } from '../harness/load';
import { fixed } from '../harness/stats';
import type { BenchContext, BenchPlatform, Figure, Floors, Scenario, ScenarioResult, TargetResult } from '../scenario';

const RATES = [200, 500, 1000] as const;
const LOW_RATE = RATES[0];
const HIGH_RATE = RATES[RATES.length - 1] as number;
const SECONDS = { full: 10, quick: 2 };
const TIMEOUT_MS = 5_000;
/** A pause before each run, so what a run left queued (timed-out requests still in the services) does not land in the next. */
const SETTLE_MS = 1_000;
const ROUTE = 'LAX|PHX';
const DISTANCE = 370;

interface Series {
  readonly key: 'rest-rows' | 'rest-tensor' | 'grpc-rows' | 'inference-tensor';
  /** Through the gateway (judged by the targets), or the inference-service baseline. */
  readonly viaGateway: boolean;
  readonly label: string;
  readonly target: LoadTarget;
}

function seriesOf(platform: BenchPlatform): Series[] {
  const { gatewayHttp, gatewayGrpc } = platform.processes.addresses;
  const { name, input } = platform.model;
  const headers = { 'content-type': 'application/json', 'x-api-key': platform.apiKey };
  return [
    {
      key: 'rest-rows',
      viaGateway: true,
      label: 'REST /v1 predict, entity row (features fetched)',
      target: { kind: 'http', method: 'POST', url: `${gatewayHttp}/v1/models/${name}:predict`, headers, body: JSON.stringify({ rows: [{ entity_id: ROUTE, features: { distance: DISTANCE } }] }) },
    },
    {
      key: 'rest-tensor',
      viaGateway: true,
      label: 'REST /v2 infer (OIP), tensor only',
      target: {
        kind: 'http',
        method: 'POST',
        url: `${gatewayHttp}/v2/models/${name}/infer`,
        headers,
        body: JSON.stringify({ inputs: [{ name: input.name, shape: [1, input.values.length], datatype: 'FP32', data: input.values }] }),
      },
    },
    {
      key: 'grpc-rows',
      viaGateway: true,
      label: 'gRPC PredictionService/Predict, entity row (features fetched)',
      target: {
        kind: 'grpc',
        address: gatewayGrpc,
        protoKey: 'gatewayV1',
        service: 'PredictionService',
        method: 'Predict',
        request: { model: { name }, rows: [{ entityId: ROUTE, features: { distance: { doubleValue: DISTANCE } } }] },
        metadata: { 'x-api-key': platform.apiKey },
      },
    },
    {
      key: 'inference-tensor',
      viaGateway: false,
      label: 'gRPC inference-service Predict directly, tensor only (no gateway)',
      target: {
        kind: 'grpc',
        address: platform.processes.addresses.inference,
        protoKey: 'inferenceV1',
        service: 'InferenceService',
        method: 'Predict',
        request: { model: { name }, inputs: [{ name: input.name, datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['1', String(input.values.length)], contents: { fp32Contents: input.values } }] },
      },
    },
  ];
}

type Results = Map<Series['key'], Map<number, LoadResult>>;

async function measure(context: BenchContext, series: readonly Series[]): Promise<Results> {
  const seconds = context.quick ? SECONDS.quick : SECONDS.full;
  const results: Results = new Map(series.map((one) => [one.key, new Map()]));
  // Rate by rate, the series one after the other at each rate (never two loads at once).
  for (const rate of RATES) {
    for (const one of series) {
      await sleep(SETTLE_MS);
      const result = await runOpenLoop({ target: one.target, ratePerSecond: rate, count: rate * seconds, timeoutMs: TIMEOUT_MS, warmup: 200 });
      results.get(one.key)?.set(rate, result);
      const samples = result.errorSamples.length > 0 ? ` e.g. ${result.errorSamples.join(' | ')}` : '';
      context.log(`${one.key} @${rate}/s: p50 ${fixed(result.stats.p50)} / p99 ${fixed(result.stats.p99)} / p99.9 ${fixed(result.stats.p999)} ms, ${result.errors}/${result.sent} errors${samples}`);
    }
  }
  return results;
}

function resultOf(results: Results, key: Series['key'], rate: number): LoadResult {
  const result = results.get(key)?.get(rate);
  if (result === undefined) throw new Error(`no result for ${key} at ${rate}/s`);
  return result;
}

function figuresOf(series: readonly Series[], results: Results, floors: Floors): Figure[] {
  const figures: Figure[] = [];
  const hopsP50 = { name: 'D_http + D_grpc p50', value: floors.http.p50 + floors.grpc.p50 };
  const hopsP99 = { name: 'D_http + D_grpc p99', value: floors.http.p99 + floors.grpc.p99 };
  for (const one of series) {
    const low = resultOf(results, one.key, LOW_RATE).stats;
    for (const rate of RATES) {
      const { stats, errors } = resultOf(results, one.key, rate);
      const atLow = rate === LOW_RATE ? undefined : (value: number, what: string) => ({ name: `same @${LOW_RATE}/s ${what}`, value });
      figures.push({ name: `${one.label} @${rate}/s p50`, value: stats.p50, unit: 'ms', ...(atLow === undefined ? {} : { baseline: atLow(low.p50, 'p50') }) });
      figures.push({ name: `${one.label} @${rate}/s p99`, value: stats.p99, unit: 'ms', ...(atLow === undefined ? {} : { baseline: atLow(low.p99, 'p99') }) });
      figures.push({ name: `${one.label} @${rate}/s p99.9`, value: stats.p999, unit: 'ms' });
      figures.push({ name: `${one.label} @${rate}/s errors`, value: errors, unit: 'count' });
    }
    figures.push({ name: `${one.label} @${LOW_RATE}/s p50 overhead above D_ort`, value: low.p50 - floors.ort.p50, unit: 'ms', baseline: hopsP50 });
    figures.push({ name: `${one.label} @${LOW_RATE}/s p99 overhead above D_ort`, value: low.p99 - floors.ort.p99, unit: 'ms', baseline: hopsP99 });
  }
  // The feature hop (inference -> feature-service, a cache or a SELECT): entity row minus tensor only.
  const rows = resultOf(results, 'rest-rows', LOW_RATE).stats;
  const tensor = resultOf(results, 'rest-tensor', LOW_RATE).stats;
  const direct = resultOf(results, 'inference-tensor', LOW_RATE).stats;
  figures.push({ name: `feature hop @${LOW_RATE}/s p50 (REST entity row - REST tensor only)`, value: rows.p50 - tensor.p50, unit: 'ms', baseline: { name: 'D_grpc + D_pg p50', value: floors.grpc.p50 + floors.pg.p50 } });
  figures.push({ name: `gateway hop @${LOW_RATE}/s p50 (REST tensor only - inference direct)`, value: tensor.p50 - direct.p50, unit: 'ms', baseline: { name: 'D_http p50', value: floors.http.p50 } });
  figures.push({ name: `inference-service @${LOW_RATE}/s p50 overhead above D_ort (direct, tensor only)`, value: direct.p50 - floors.ort.p50, unit: 'ms', baseline: { name: 'D_grpc p50', value: floors.grpc.p50 } });
  return figures;
}

function targetsOf(series: readonly Series[], results: Results, floors: Floors): TargetResult[] {
  const low = resultOf(results, 'rest-tensor', LOW_RATE).stats;
  const overheadP50 = low.p50 - floors.ort.p50;
  const boundP50 = 1.5 * (floors.http.p50 + floors.grpc.p50);
  const boundP99 = 1.5 * (floors.http.p99 + floors.grpc.p99);
  const targets: TargetResult[] = [
    {
      name: `low load (${LOW_RATE}/s) REST p50 overhead above D_ort <= 1.5 x (D_http + D_grpc) p50`,
      pass: overheadP50 <= boundP50,
      detail: `tensor-only REST p50 ${fixed(low.p50)} - D_ort p50 ${fixed(floors.ort.p50)} = ${fixed(overheadP50)} ms vs 1.5 x (${fixed(floors.http.p50)} + ${fixed(floors.grpc.p50)}) = ${fixed(boundP50)} ms`,
    },
    {
      name: `low load (${LOW_RATE}/s) REST p99 <= 1.5 x (D_http + D_grpc) p99`,
      pass: low.p99 <= boundP99,
      detail: `tensor-only REST p99 ${fixed(low.p99)} ms vs 1.5 x (${fixed(floors.http.p99)} + ${fixed(floors.grpc.p99)}) = ${fixed(boundP99)} ms`,
    },
  ];
  for (const one of series.filter((candidate) => candidate.viaGateway)) {
    const base = resultOf(results, one.key, LOW_RATE).stats;
    const high = resultOf(results, one.key, HIGH_RATE);
    const bound = 2 * base.p99;
    targets.push({
      name: `${one.label}: @${HIGH_RATE}/s p99 <= 2 x the @${LOW_RATE}/s p99, zero errors`,
      pass: high.stats.p99 <= bound && high.errors === 0,
      detail: `p99 ${fixed(high.stats.p99)} ms vs 2 x ${fixed(base.p99)} = ${fixed(bound)} ms; ${high.errors} of ${high.sent} failed${high.errorSamples.length > 0 ? ` (${high.errorSamples.join(' | ')})` : ''}`,
    });
  }
  return targets;
}

export const predictScenario: Scenario = {
  name: 'predict',
  title: 'Single-row predict through the gateway, REST and gRPC, at 200 / 500 / 1,000 requests/s (open loop)',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const platform = await context.platform();
    const series = seriesOf(platform);
    const results = await measure(context, series);
    const seconds = context.quick ? SECONDS.quick : SECONDS.full;
    return {
      scenario: 'predict',
      title: this.title,
      figures: figuresOf(series, results, context.floors),
      targets: targetsOf(series, results, context.floors),
      notes: [
        `${platform.model.name} v${platform.model.version} (the flights GBDT of the quickstart) served by the five-service platform on PostgreSQL (LOG_LEVEL=warn, tracing off); ${seconds} s per rate and series (${RATES.map((rate) => rate * seconds).join(' / ')} requests), after 200 warm-up calls, timeout ${TIMEOUT_MS} ms.`,
        'Load from a separate process (one keep-alive HTTP agent or one gRPC channel), open loop: latency counts from the scheduled send time (a request may leave up to 1 ms early, then it counts from the actual send), so queueing shows in the tail.',
        'The low-load overhead targets use the tensor-only REST call (OIP /v2/models/{name}/infer): the issue\'s scenario 1 is "single-row predict"; a /v1 entity row also fetches the route\'s features from feature-service (scenario 4\'s path), shown separately here as the "feature hop".',
        'The 1,000/s targets are judged for every series through the gateway against its own 200/s p99. The direct inference-service series (no gateway) splits the time: gateway hop = REST tensor only - direct, inference overhead = direct - D_ort.',
      ],
    };
  },
};

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { featuresV1, gatewayV1, PlatformClients, registryV1 } from './platform-clients';

/** The quickstart's API key, kept (mode 0600) in the data folder so a second start reuses it. */
export interface QuickstartKey {
  readonly id: string;
  readonly secret: string;
}

/**
 * The API key of `keyFile` when the gateway still has it active, else a new one for `modelName`
 * (the secret is only ever shown at creation, so it is stored right away).
 */
export async function ensureApiKey(clients: PlatformClients, keyFile: string, modelName: string): Promise<{ key: QuickstartKey; created: boolean }> {
  if (existsSync(keyFile)) {
    const stored = JSON.parse(readFileSync(keyFile, 'utf8')) as QuickstartKey;
    const { apiKeys } = await clients.gatewayAdmin.call<gatewayV1.ListApiKeysResponse>('listApiKeys', { page: { pageSize: 1000 } });
    if (apiKeys.some((key) => key.id === stored.id && key.revokedAt == null)) return { key: stored, created: false };
  }
  const created = await clients.gatewayAdmin.call<gatewayV1.CreateApiKeyResponse>('createApiKey', {
    name: 'quickstart',
    allowedModels: [modelName],
    description: 'made by npm start for the printed examples',
  });
  if (created.apiKey == null) throw new Error('CreateApiKey returned no key');
  const key = { id: created.apiKey.id, secret: created.secret };
  writeFileSync(keyFile, `${JSON.stringify(key)}\n`, { mode: 0o600 });
  return { key, created: true };
}

/** One flight to score: a route (the `route_stats` entity) and its distance. */
export interface ExampleFlight {
  readonly route: string;
  readonly distance: number;
}

/** The quickstart's example: the busiest route of flights-20k.json. */
export const EXAMPLE_FLIGHT: ExampleFlight = { route: 'LAX|PHX', distance: 370 };

/** What a prediction through the gateway's REST API answered, with the headers that matter. */
export interface RestPrediction {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string;
  readonly modelVersion: string;
  readonly featureContract: string;
  /** From the `traceparent` header; empty when tracing is off. */
  readonly traceId: string;
}

/** `POST /v1/models/{name}:predict` for one flight, features fetched by inference from the route. */
export async function predictOverRest(gatewayHttp: string, key: string, modelName: string, flight: ExampleFlight = EXAMPLE_FLIGHT): Promise<RestPrediction> {
  const response = await fetch(`${gatewayHttp}/v1/models/${encodeURIComponent(modelName)}:predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(restPredictBody(flight)),
  });
  const text = await response.text();
  const header = (name: string): string => response.headers.get(name) ?? '';
  return {
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    requestId: header('x-request-id'),
    modelVersion: header('x-strata-model-version'),
    featureContract: header('x-strata-feature-contract'),
    traceId: header('traceparent').split('-')[1] ?? '',
  };
}

function restPredictBody(flight: ExampleFlight): object {
  return { rows: [{ entity_id: flight.route, features: { distance: flight.distance } }] };
}

/** Ready-to-paste calls of the served model: REST, the Open Inference Protocol over REST, and gRPC. */
export interface CallExamples {
  readonly rest: string;
  readonly openInference: string;
  readonly grpc: string;
}

/**
 * The three example calls for `modelName` v`version`. The Open Inference Protocol call sends the
 * model's raw input tensor, so it is built from the version's input binding and the route's
 * current feature values (as inference would assemble them).
 */
export async function callExamples(
  clients: PlatformClients,
  options: { modelName: string; version: number; key: string; protosDir: string; flight?: ExampleFlight; at?: Date },
): Promise<CallExamples> {
  const { modelName, version, key } = options;
  const flight = options.flight ?? EXAMPLE_FLIGHT;
  const { gatewayHttp, gatewayGrpc } = clients.addresses;
  const tensor = await inputTensor(clients, modelName, version, flight, options.at ?? new Date());
  const rest = [
    `curl -s ${gatewayHttp}/v1/models/${modelName}:predict -H 'x-api-key: ${key}' -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify(restPredictBody(flight))}'`,
  ].join('\n');
  const openInference = [
    `curl -s ${gatewayHttp}/v2/models/${modelName}/versions/${version}/infer -H 'x-api-key: ${key}' -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify({ inputs: [{ name: tensor.name, shape: [1, tensor.values.length], datatype: 'FP32', data: tensor.values }] })}'`,
  ].join('\n');
  const grpcBody = { model: { name: modelName }, rows: [{ entity_id: flight.route, features: { distance: { double_value: flight.distance } } }] };
  const grpc = [
    `grpcurl -plaintext -import-path ${options.protosDir} -proto strata/gateway/v1/gateway.proto -H 'x-api-key: ${key}' \\`,
    `  -d '${JSON.stringify(grpcBody)}' \\`,
    `  ${gatewayGrpc} strata.gateway.v1.PredictionService/Predict`,
  ].join('\n');
  return { rest, openInference, grpc };
}

async function inputTensor(clients: PlatformClients, modelName: string, version: number, flight: ExampleFlight, at: Date): Promise<{ name: string; values: number[] }> {
  const { version: registered } = await clients.registry.call<registryV1.GetVersionResponse>('getVersion', { model: { name: modelName, version } });
  const binding = registered?.inputBindings[0];
  if (binding === undefined) throw new Error(`${modelName} v${version} has no input binding`);
  const online = new Map<string, number>();
  for (const set of new Set(binding.features.filter((name) => name.includes('.')).map((name) => name.split('.')[0] as string))) {
    const pinned = registered?.lineage?.featureContracts.find((contract) => contract.featureSet?.name === set)?.featureSet;
    const answer = await clients.features.call<featuresV1.GetOnlineFeaturesResponse>('getOnlineFeatures', {
      featureSet: { name: set, version: pinned?.version ?? 0 },
      entityIds: [flight.route],
    });
    for (const feature of answer.entities[0]?.features ?? []) {
      const value = feature.value?.doubleValue ?? (feature.value?.int64Value === undefined ? undefined : Number(feature.value.int64Value));
      if (value !== undefined && value !== null) online.set(`${set}.${feature.name}`, value);
    }
  }
  const values = binding.features.map((name) => {
    if (name === 'distance') return flight.distance;
    if (name === 'hour_of_day') return at.getUTCHours();
    if (name === 'day_of_week') return at.getUTCDay();
    return online.get(name) ?? 0;
  });
  return { name: binding.input, values: values.map((value) => Math.round(value * 1000) / 1000) };
}

import type { gatewayV1, oipV1 } from '@strata/contracts';
import { InvalidArgumentError, PermissionDeniedError, UnauthenticatedError } from '@strata/service-runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedKey } from '../api-keys/api-key';
import type { GatewayAnswer } from '../gate/gateway-forwarder';
import type { IncomingCall } from '../gate/gatekeeper';
import type { UpstreamService } from '../inference/inference-upstream';
import { parseInferRequest } from '../open-inference/oip-json';
import { toHealthJson, toInferResponseJson, toModelMetadataJson, toServerMetadataJson } from '../open-inference/oip-json-response';
import { REQUEST_TIMEOUT_HEADER } from '../traffic/deadline';
import type { ModelMetadataCache } from './model-metadata-cache';
import { checkRowsJson, listedInputsToTensors, namedInputsToTensors, PREDICT_BODY_SCHEMA, PREDICT_RESPONSE_SCHEMA, type PredictBodyJson, toPredictJson, toPredictRequest } from './predict-mapper';
import { incomingRestCall, setAnswerHeaders } from './rest-headers';
import type { JsonSchema, RestRoute, RouteCall } from './rest-route';

/** What the routes call: the gate + inference, inference's readiness, and the key check. */
export interface RestRouteDeps {
  forward<T>(incoming: IncomingCall, models: readonly string[], cost: number, service: UpstreamService, method: string, request: object): Promise<GatewayAnswer<T>>;
  /** inference's ServerReady, without the gate (health stays open). */
  inferenceReady(requestId: string): Promise<boolean>;
  /** The caller's key (undefined when auth is off); throws UnauthenticatedError when missing or unknown. */
  verifyKey(incoming: IncomingCall): Promise<VerifiedKey | undefined>;
  readonly metadata: ModelMetadataCache;
  /** The page and document of GET /docs and /openapi.json. */
  docs(): { readonly html: string; readonly document: object };
}

const NAME: JsonSchema = { type: 'string', minLength: 1, maxLength: 256, description: 'model name' };
const VERSION: JsonSchema = { type: 'string', pattern: '^[1-9][0-9]{0,9}$', description: 'decimal registry version' };
const REQUEST_ID: JsonSchema = { type: 'string', description: 'request ID (1-128 printable ASCII characters); assigned when absent, echoed in x-request-id' };
const SECURED_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    'x-api-key': { type: 'string', description: 'API key (or Authorization: Bearer <key>)' },
    authorization: { type: 'string', description: 'Bearer <API key>' },
    'x-request-id': REQUEST_ID,
    [REQUEST_TIMEOUT_HEADER]: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'the caller timeout in ms (shorter than the default wins; capped)' },
  },
};
const OPEN_HEADERS: JsonSchema = { type: 'object', properties: { 'x-request-id': REQUEST_ID } };
const SECURED_ERRORS = [400, 401, 403, 404, 429, 500, 503, 504];
const TENSOR_METADATA: JsonSchema = { type: 'object', required: ['name', 'datatype', 'shape'], properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } } };
const PARAMETERS: JsonSchema = { type: 'object', additionalProperties: { type: ['boolean', 'number', 'string'] } };
const INFER_REQUEST: JsonSchema = {
  type: 'object',
  description: 'Open Inference Protocol inference request; `data` flat (row-major) or nested as the shape',
  properties: {
    id: { type: 'string' },
    parameters: PARAMETERS,
    inputs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } }, datatype: { type: 'string' }, parameters: PARAMETERS, data: { type: 'array' } } } },
    outputs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, parameters: PARAMETERS } } },
  },
};
const INFER_RESPONSE: JsonSchema = {
  type: 'object',
  required: ['model_name', 'outputs'],
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    parameters: PARAMETERS,
    outputs: { type: 'array', items: { type: 'object', required: ['name', 'shape', 'datatype', 'data'], properties: { ...(TENSOR_METADATA['properties'] as object), parameters: PARAMETERS, data: { type: 'array' } } } },
  },
};
const MODEL_METADATA: JsonSchema = {
  type: 'object',
  required: ['name', 'platform', 'inputs', 'outputs'],
  properties: { name: { type: 'string' }, versions: { type: 'array', items: { type: 'string' } }, platform: { type: 'string' }, inputs: { type: 'array', items: TENSOR_METADATA }, outputs: { type: 'array', items: TENSOR_METADATA } },
};
const READY: JsonSchema = { type: 'object', properties: { ready: { type: 'boolean' } } };

interface NameParams {
  name: string;
  version?: string;
}

/** The REST API's route table: Strata predict, the Open Inference Protocol REST endpoints, docs. */
export function restRoutes(deps: RestRouteDeps): RestRoute[] {
  const oipModelRoutes = (suffix: string, withVersion: boolean): { url: string; params: JsonSchema } => ({
    url: `/v2/models/:name${withVersion ? '/versions/:version' : ''}${suffix}`,
    params: { type: 'object', required: withVersion ? ['name', 'version'] : ['name'], properties: withVersion ? { name: NAME, version: VERSION } : { name: NAME } },
  });
  const oip = (request: FastifyRequest): { name: string; version: string } => {
    const params = request.params as NameParams;
    return { name: params.name, version: params.version ?? '' };
  };

  const modelMetadata = async (request: FastifyRequest, reply: FastifyReply, call: RouteCall): Promise<unknown> => {
    const target = oip(request);
    const answer = await deps.forward<oipV1.ModelMetadataResponse>(incomingRestCall(request, call), [target.name], 1, 'oip', 'ModelMetadata', target);
    return toModelMetadataJson(answer.response);
  };
  const modelReady = async (request: FastifyRequest, reply: FastifyReply, call: RouteCall): Promise<unknown> => {
    const target = oip(request);
    const answer = await deps.forward<oipV1.ModelReadyResponse>(incomingRestCall(request, call), [target.name], 1, 'oip', 'ModelReady', target);
    const health = toHealthJson('ready', answer.response.ready);
    return reply.code(health.statusCode).send(health.body);
  };
  const infer = async (request: FastifyRequest, reply: FastifyReply, call: RouteCall): Promise<unknown> => {
    const target = oip(request);
    const message = parseInferRequest(request.body, { modelName: target.name, modelVersion: target.version });
    const answer = await deps.forward<oipV1.ModelInferResponse>(incomingRestCall(request, call), [target.name], 1, 'oip', 'ModelInfer', message);
    setAnswerHeaders(reply, answer);
    return toInferResponseJson(answer.response);
  };
  const modelRoutes = (withVersion: boolean): RestRoute[] => [
    {
      method: 'GET',
      ...oipModelRoutes('', withVersion),
      operationId: withVersion ? 'oipModelVersionMetadata' : 'oipModelMetadata',
      summary: `Model metadata (Open Inference Protocol)${withVersion ? ' of one version' : ''}: inputs and outputs with datatypes and shapes`,
      tag: 'open-inference',
      secured: true,
      oip: true,
      headers: SECURED_HEADERS,
      responses: { '200': { description: 'model metadata', schema: MODEL_METADATA } },
      errors: SECURED_ERRORS,
      handler: modelMetadata,
    },
    {
      method: 'GET',
      ...oipModelRoutes('/ready', withVersion),
      operationId: withVersion ? 'oipModelVersionReady' : 'oipModelReady',
      summary: `Model readiness (Open Inference Protocol)${withVersion ? ' of one version' : ''}: 200 ready, 400 not ready`,
      tag: 'open-inference',
      secured: true,
      oip: true,
      headers: SECURED_HEADERS,
      responses: { '200': { description: 'ready', schema: READY } },
      errors: SECURED_ERRORS,
      handler: modelReady,
    },
    {
      method: 'POST',
      ...oipModelRoutes('/infer', withVersion),
      operationId: withVersion ? 'oipModelVersionInfer' : 'oipModelInfer',
      summary: `Inference (Open Inference Protocol tensor JSON)${withVersion ? ' on one version' : ' with the model traffic policy'}`,
      tag: 'open-inference',
      secured: true,
      oip: true,
      headers: SECURED_HEADERS,
      body: INFER_REQUEST,
      responses: { '200': { description: 'inference response', schema: INFER_RESPONSE } },
      errors: [...SECURED_ERRORS, 413, 415, 502],
      handler: infer,
    },
  ];

  return [
    {
      method: 'POST',
      // find-my-way reads `:name::predict` as one parameter named "name::predict": the
      // pattern ends the parameter at the colon, `::` is the literal colon.
      url: '/v1/models/:name(^[^:/]+)::predict',
      operationId: 'predict',
      summary: 'Predict with a model by name: inputs by name (nested arrays, typed from the model metadata) or as typed tensors, and/or entity rows',
      tag: 'predictions',
      secured: true,
      oip: false,
      params: { type: 'object', required: ['name'], properties: { name: NAME } },
      headers: SECURED_HEADERS,
      body: PREDICT_BODY_SCHEMA,
      responses: { '200': { description: 'the prediction; headers x-request-id, x-strata-model-version, x-strata-feature-contract, traceparent', schema: PREDICT_RESPONSE_SCHEMA } },
      errors: [...SECURED_ERRORS, 413, 415, 502],
      handler: async (request, reply, call) => {
        const { name } = request.params as NameParams;
        const body = request.body as PredictBodyJson;
        if (body.version !== undefined && body.alias !== undefined) throw new InvalidArgumentError('give version or alias, not both', [{ field: 'alias', description: 'not allowed together with version' }]);
        checkRowsJson(body.rows);
        const incoming = incomingRestCall(request, call);
        const inputs = body.inputs;
        let tensors: gatewayV1.PredictRequest['inputs'] = [];
        if (inputs !== undefined && Object.keys(inputs).length > 0) {
          const schema = await deps.metadata.get(name, body.version, async () => {
            const answer = await deps.forward<oipV1.ModelMetadataResponse>(incoming, [name], 1, 'oip', 'ModelMetadata', { name, version: body.version === undefined ? '' : String(body.version) });
            return answer.response;
          });
          tensors = Array.isArray(inputs) ? listedInputsToTensors(schema, inputs) : namedInputsToTensors(schema, inputs);
        }
        const answer = await deps.forward<gatewayV1.PredictResponse>(incoming, [name], 1, 'strata', 'Predict', toPredictRequest(name, body, tensors));
        setAnswerHeaders(reply, answer);
        return toPredictJson(answer.response, call.requestId, answer.totalUs);
      },
    },
    {
      method: 'GET',
      url: '/v2/health/live',
      operationId: 'oipServerLive',
      summary: 'Server liveness (Open Inference Protocol): 200 while the gateway answers',
      tag: 'open-inference',
      secured: false,
      oip: true,
      headers: OPEN_HEADERS,
      responses: { '200': { description: 'live', schema: { type: 'object', properties: { live: { type: 'boolean' } } } } },
      errors: [400],
      handler: async () => toHealthJson('live', true).body,
    },
    {
      method: 'GET',
      url: '/v2/health/ready',
      operationId: 'oipServerReady',
      summary: 'Server readiness (Open Inference Protocol): inference ServerReady; 503 with Retry-After when inference is unreachable',
      tag: 'open-inference',
      secured: false,
      oip: true,
      headers: OPEN_HEADERS,
      responses: { '200': { description: 'ready', schema: READY }, '400': { description: 'not ready', schema: READY } },
      errors: [503],
      handler: async (_request, reply, call) => {
        const health = toHealthJson('ready', await deps.inferenceReady(call.requestId));
        return reply.code(health.statusCode).send(health.body);
      },
    },
    {
      method: 'GET',
      url: '/v2',
      operationId: 'oipServerMetadata',
      summary: 'Server metadata (Open Inference Protocol): name, version, extensions',
      tag: 'open-inference',
      secured: true,
      oip: true,
      headers: SECURED_HEADERS,
      responses: { '200': { description: 'server metadata', schema: { type: 'object', required: ['name', 'version', 'extensions'], properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } } } } },
      errors: SECURED_ERRORS.filter((code) => code !== 403 && code !== 404),
      handler: async (request, _reply, call) => toServerMetadataJson((await deps.forward<oipV1.ServerMetadataResponse>(incomingRestCall(request, call), [], 1, 'oip', 'ServerMetadata', {})).response),
    },
    ...modelRoutes(false),
    ...modelRoutes(true),
    {
      method: 'GET',
      url: '/openapi.json',
      operationId: 'openApiDocument',
      summary: 'This API as an OpenAPI 3.1 document, generated from the route table',
      tag: 'docs',
      secured: false,
      oip: false,
      responses: { '200': { description: 'OpenAPI document', schema: { type: 'object' } } },
      errors: [],
      handler: async () => deps.docs().document,
    },
    {
      method: 'GET',
      url: '/docs',
      operationId: 'docsPage',
      summary: 'This API as a browsable HTML page (the same document as /openapi.json)',
      tag: 'docs',
      secured: false,
      oip: false,
      responses: { '200': { description: 'HTML page', contentType: 'text/html', schema: { type: 'string' } } },
      errors: [],
      handler: async (_request, reply) => reply.type('text/html; charset=utf-8').send(deps.docs().html),
    },
  ];
}

/**
 * The gate's authentication and allow-list, without taking a token (the forward that follows
 * does): secured routes run it before their body is validated, so a caller without a valid key
 * gets 401/403, never a 400 that describes a model's inputs.
 */
export async function checkCaller(verifyKey: RestRouteDeps['verifyKey'], incoming: IncomingCall, model: string | undefined): Promise<VerifiedKey | undefined> {
  const key = await verifyKey(incoming);
  if (model !== undefined && key !== undefined && key.allowedModels.length > 0 && !key.allowedModels.includes(model)) throw new PermissionDeniedError(`API key ${key.name} may not call model ${model}`);
  return key;
}

/** The presented key of a call (`x-api-key`, else `Authorization: Bearer`), as the gate reads it. */
export function presentedKey(incoming: IncomingCall): string {
  const first = (value: string | readonly string[] | undefined): string | undefined => (typeof value === 'string' ? value : value?.[0]);
  const apiKey = first(incoming.apiKey);
  const authorization = first(incoming.authorization);
  const bearer = authorization !== undefined && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined;
  const presented = apiKey ?? bearer;
  if (presented === undefined || presented === '') throw new UnauthenticatedError('missing API key: send "x-api-key: <key>" or "authorization: Bearer <key>"');
  return presented;
}

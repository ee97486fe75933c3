import { PROBLEM_CONTENT_TYPE } from './problem';
import { type JsonSchema, openApiPathOf, type RestRoute } from './rest-route';

/** The parts of an OpenAPI 3.0 document the gateway writes. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: Record<string, unknown>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Invalid request (malformed JSON, bad field, bad header): problem+json listing every bad field',
  401: 'Missing or unknown API key',
  403: 'The API key may not call this model',
  404: 'Unknown model or version',
  409: 'Conflict',
  413: 'Body larger than the gateway accepts (body-too-large), or the request larger than a gRPC message to inference may be (request-too-large); not retryable as is',
  414: 'A path parameter is longer than the gateway routes (uri-too-long)',
  415: 'Body is not application/json',
  429: 'Rate limit of the API key exceeded; Retry-After says when to retry',
  500: 'Internal error',
  502: 'inference-service answered with something the gateway cannot pass on (an answer larger than a gRPC message may be included)',
  503: 'inference-service unavailable or the gateway at its in-flight limit; Retry-After says when to retry',
  504: 'The request did not finish within its deadline',
};

/** What the `default` response of every operation covers: the errors of the HTTP edge itself. */
const DEFAULT_PROBLEM_TEXT =
  'Any other error, also problem+json with the request ID: 404 unknown route, 405 known path with another method (Allow lists the methods), 400 malformed URL (invalid-url) or request (malformed-request), 408, 413 (1 MiB on unknown routes), 414, 415, 431 headers too large, 500';

export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'request_id'],
  properties: {
    type: { type: 'string', description: 'stable URI of the failure kind, https://strata.dev/problems/<reason>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'the request path' },
    request_id: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['field', 'description'], properties: { field: { type: 'string' }, description: { type: 'string' } } } },
    error: { type: 'string', description: 'Open Inference Protocol routes: the protocol error message' },
  },
};

/**
 * The OpenAPI 3 document of `routes`, generated from the same definitions Fastify registers:
 * paths, parameters (path and header), request bodies, success and problem+json responses.
 */
export function buildOpenApiDocument(routes: readonly RestRoute[], version: string): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPathOf(route.url);
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.headers, 'header')],
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([code, response]) => [
            code,
            { description: response.description, ...(response.schema === undefined ? {} : { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }) },
          ]),
        ),
        ...Object.fromEntries(errorCodesOf(route).map((code) => [String(code), { $ref: `#/components/responses/Problem${code}` }])),
        default: { $ref: '#/components/responses/ProblemDefault' },
      },
      ...(route.secured ? { security: [{ apiKey: [] }, { bearer: [] }] } : { security: [] }),
    };
    if (route.body !== undefined) operation['requestBody'] = { required: true, content: { 'application/json': { schema: route.body } } };
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  const codes = [...new Set(routes.flatMap(errorCodesOf))].sort((a, b) => a - b);
  const problemContent = { [PROBLEM_CONTENT_TYPE.split(';')[0] as string]: { schema: { $ref: '#/components/schemas/Problem' } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Strata gateway REST API',
      version,
      description: 'Predictions by model name (Strata API) and the Open Inference Protocol (KServe v2) REST endpoints. Errors are application/problem+json (RFC 9457) with a stable type and the request ID.',
    },
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }, bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Problem: PROBLEM_SCHEMA },
      responses: {
        ...Object.fromEntries(
          codes.map((code) => [
            `Problem${code}`,
            {
              description: STATUS_TEXT[code] ?? 'Error',
              headers: code === 429 || code === 503 ? { 'Retry-After': { schema: { type: 'integer', minimum: 1 }, description: 'seconds to wait before retrying' } } : {},
              content: problemContent,
            },
          ]),
        ),
        ProblemDefault: { description: DEFAULT_PROBLEM_TEXT, content: problemContent },
      },
    },
  };
}

/** The route's own error statuses, plus 414 when its path has parameters (Fastify refuses one over its length limit). */
function errorCodesOf(route: RestRoute): number[] {
  return route.params === undefined || route.errors.includes(414) ? [...route.errors] : [...route.errors, 414].sort((a, b) => a - b);
}

function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'header'): unknown[] {
  const properties = (schema?.['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property['description'] === 'string' ? { description: property['description'] } : {}),
    schema: property,
  }));
}

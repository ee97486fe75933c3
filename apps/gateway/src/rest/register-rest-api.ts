import { trace } from '@opentelemetry/api';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { attributesOf } from '@strata/observability';
import { LOGGER, UnavailableError } from '@strata/service-runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { VerifiedKey } from '../api-keys/api-key';
import { ApiKeyVerifier } from '../api-keys/api-key.verifier';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { IncomingCall } from '../gate/gatekeeper';
import { GatewayForwarder } from '../gate/gateway-forwarder';
import { InferenceUpstream } from '../inference/inference-upstream';
import { parseRequestTimeoutHeader } from '../traffic/deadline';
import { acceptRequestId, newRequestId } from '../traffic/request-id';
import { compileSchema } from './json-validator';
import { ModelMetadataCache } from './model-metadata-cache';
import { buildOpenApiDocument } from './openapi';
import { renderDocsPage } from './docs-page';
import { pathOf, sendProblem } from './http-problems';
import { problemOf, RestProblemError } from './problem';
import type { RestRoute, RouteCall } from './rest-route';
import { incomingRestCall } from './rest-headers';
import { checkCaller, presentedKey, restRoutes } from './rest-routes';

/** Version written in the OpenAPI document. */
const API_VERSION = '1.0.0';

/**
 * Registers the gateway's REST API on Fastify (in its own encapsulated context: the strict
 * schema compiler, the request ID / timeout hook and the problem+json error handler apply to
 * these routes only): `POST /v1/models/{name}:predict`, the Open Inference Protocol REST
 * endpoints, `/openapi.json` and `/docs`. Pass as the service definition's `httpRoutes`.
 */
export async function registerRestApi(app: NestFastifyApplication, fastify: FastifyInstance): Promise<void> {
  const forwarder = app.get(GatewayForwarder);
  const upstream = app.get(InferenceUpstream);
  const verifier = app.get(ApiKeyVerifier, { strict: false });
  const config = app.get<symbol, GatewayConfig>(GATEWAY_CONFIG, { strict: false });
  const logger = app.get<symbol, Logger>(LOGGER, { strict: false });
  let docs: { html: string; document: object } | undefined;
  const verifyKey = async (incoming: IncomingCall): Promise<VerifiedKey | undefined> => (config.authDisabled ? undefined : verifier.verify(presentedKey(incoming)));
  const routes: RestRoute[] = restRoutes({
    forward: (incoming, models, cost, service, method, request) => forwarder.forward(incoming, models, cost, service, method, request),
    inferenceReady: async (requestId) => {
      try {
        const answer = await upstream.call<{ ready: boolean }>('oip', 'ServerReady', {}, { deadline: Date.now() + config.defaultDeadline, requestId });
        return answer.response.ready;
      } catch {
        throw new UnavailableError('inference-service is unreachable; retry shortly', 1_000);
      }
    },
    verifyKey,
    metadata: new ModelMetadataCache(config.cacheTtl),
    docs: () => {
      if (docs === undefined) {
        const document = buildOpenApiDocument(routes, API_VERSION);
        docs = { document, html: renderDocsPage(document) };
      }
      return docs;
    },
  });
  const calls = new WeakMap<FastifyRequest, RouteCall>();

  await fastify.register(async (instance) => {
    instance.setValidatorCompiler(({ schema, httpPart }) => compileSchema(schema as Record<string, unknown>, httpPart));

    instance.addHook('onRequest', async (request, reply) => {
      const accepted = acceptRequestId(request.headers['x-request-id']);
      const requestId = 'id' in accepted ? accepted.id : newRequestId();
      calls.set(request, { requestId });
      reply.header('x-request-id', requestId);
      // The HTTP server span (instrumentation-http) carries the request ID like gRPC server spans do.
      trace.getActiveSpan()?.setAttributes(attributesOf({ requestId }));
      if ('invalid' in accepted) throw new RestProblemError({ status: 400, reason: 'invalid-request-id', detail: accepted.invalid, errors: [{ field: 'x-request-id', description: accepted.invalid }] });
      const timeout = parseRequestTimeoutHeader(request.headers['x-request-timeout-ms']);
      if ('invalid' in timeout) throw new RestProblemError({ status: 400, reason: 'invalid-request-timeout', detail: timeout.invalid, errors: [{ field: 'x-request-timeout-ms', description: timeout.invalid }] });
      if (timeout.timeoutMs !== undefined) calls.set(request, { requestId, callerTimeoutMs: timeout.timeoutMs });
      // Above capacity, a prediction (every POST route forwards one) is refused before its body
      // is read, parsed and validated, and before its key is verified: shedding must cost less
      // than serving, or the backlog grows and the gateway recovers late once the load drops.
      if (request.method === 'POST') {
        const shed = forwarder.shedding();
        if (shed !== undefined) throw shed;
      }
    });

    instance.setErrorHandler((error: unknown, request, reply) => {
      const problem = problemOf(error, config.maxBodyBytes);
      if (problem.status >= 500 && problem.reason !== 'unavailable' && problem.reason !== 'deadline-exceeded') logger.error({ err: error, method: request.method, url: request.routeOptions.url }, `REST ${request.method} ${request.routeOptions.url ?? request.url} failed`);
      const requestId = calls.get(request)?.requestId ?? newRequestId();
      const oip = (request.routeOptions.config as { oip?: boolean } | undefined)?.oip === true;
      return sendProblem(reply, problem, pathOf(request), requestId, oip);
    });

    for (const route of routes) {
      instance.route({
        method: route.method,
        url: route.url,
        bodyLimit: config.maxBodyBytes,
        config: { oip: route.oip },
        schema: {
          ...(route.params === undefined ? {} : { params: route.params }),
          ...(route.headers === undefined ? {} : { headers: route.headers }),
          ...(route.body === undefined ? {} : { body: route.body }),
        },
        ...(route.secured
          ? {
              preValidation: async (request: FastifyRequest) => {
                const call = calls.get(request) ?? { requestId: newRequestId() };
                const key = await checkCaller(verifyKey, incomingRestCall(request, call), (request.params as { name?: string }).name);
                // The gate admits the call with this key instead of verifying it a second time.
                if (key !== undefined) calls.set(request, { ...call, key });
              },
            }
          : {}),
        handler: (request: FastifyRequest, reply: FastifyReply) => route.handler(request, reply, calls.get(request) ?? { requestId: newRequestId() }),
      });
    }
  });
}

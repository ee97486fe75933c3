import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type HttpErrorAnswers, LOGGER, type RawHttpAnswer } from '@strata/service-runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { acceptRequestId, newRequestId } from '../traffic/request-id';
import { PROBLEM_CONTENT_TYPE, type Problem, problemJson, problemOf } from './problem';

/** Methods whose routes a 405 names in `Allow`. */
const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/** Writes `problem` as problem+json with the request ID (header and body) and Retry-After when it has one. */
export function sendProblem(reply: FastifyReply, problem: Problem, instance: string, requestId: string, oip: boolean): FastifyReply {
  void reply.code(problem.status).header('x-request-id', requestId).type(PROBLEM_CONTENT_TYPE);
  if (problem.retryAfterSeconds !== undefined) void reply.header('retry-after', String(problem.retryAfterSeconds));
  return reply.send(JSON.stringify(problemJson(problem, instance, requestId, oip)));
}

/** The path of a request, without its query. */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

/**
 * The gateway's answers to the HTTP errors outside its REST routes' own error handler, all
 * problem+json with a request ID (the caller's valid `x-request-id`, else a new one): an
 * unknown route (404, or 405 with `Allow` when the path exists for other methods), Fastify's
 * refusals of a URL (400 invalid-url, 414 uri-too-long), body errors of unmatched requests
 * (413, 415, 400), failures of the operational routes, and requests Node's HTTP parser refuses
 * (400, 408, 431). Paths under `/v2` also carry the Open Inference Protocol's `error` member.
 */
export function gatewayHttpErrors(app: NestFastifyApplication): HttpErrorAnswers {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const config = app.get<symbol, GatewayConfig>(GATEWAY_CONFIG, { strict: false });
  const logger = app.get<symbol, Logger>(LOGGER, { strict: false });
  const answer = (request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply => {
    const accepted = acceptRequestId(request.headers['x-request-id']);
    const path = pathOf(request);
    return sendProblem(reply, problem, path, 'id' in accepted ? accepted.id : newRequestId(), path === '/v2' || path.startsWith('/v2/'));
  };
  return {
    notFound: (request, reply) => {
      const path = pathOf(request);
      const allowed = METHODS.filter((method) => method !== request.method && fastify.findRoute({ method, url: path }) !== null);
      if (allowed.length === 0) return answer(request, reply, { status: 404, reason: 'not-found', detail: `no route ${request.method} ${path}; the API is described at /openapi.json` });
      void reply.header('allow', allowed.join(', '));
      return answer(request, reply, { status: 405, reason: 'method-not-allowed', detail: `${path} does not answer ${request.method}; it answers ${allowed.join(', ')}` });
    },
    error: (error, request, reply) => {
      const problem = problemOf(error, config.maxBodyBytes);
      if (problem.status >= 500) logger.error({ err: error, method: request.method, url: request.routeOptions.url }, `HTTP ${request.method} ${request.routeOptions.url ?? pathOf(request)} failed`);
      return answer(request, reply, problem);
    },
    clientError: (error) => rawProblem(clientErrorProblem(error)),
  };
}

function clientErrorProblem(error: NodeJS.ErrnoException): Problem {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, reason: 'request-timeout', detail: 'the request headers and body did not arrive in time' };
  if (error.code === 'HPE_HEADER_OVERFLOW') return { status: 431, reason: 'header-too-large', detail: 'the request headers exceed the size the gateway accepts' };
  return { status: 400, reason: 'malformed-request', detail: 'the request is not valid HTTP/1.1' };
}

// No request was parsed: no path for `instance`, no caller request ID to echo.
function rawProblem(problem: Problem): RawHttpAnswer {
  const requestId = newRequestId();
  return { status: problem.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId }, body: JSON.stringify(problemJson(problem, '', requestId, false)) };
}

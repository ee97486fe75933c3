import { context, propagation, trace } from '@opentelemetry/api';
import { attributesOf } from '@strata/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingCall } from '../gate/gatekeeper';
import type { RouteCall } from './rest-route';

/** What the gateway reads from a REST request for the gate. */
export function incomingRestCall(request: FastifyRequest, call: RouteCall): IncomingCall {
  const apiKey = request.headers['x-api-key'];
  const authorization = request.headers.authorization;
  return {
    requestId: call.requestId,
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(authorization === undefined ? {} : { authorization }),
    ...(call.callerTimeoutMs === undefined ? {} : { callerTimeoutMs: call.callerTimeoutMs }),
    ...(call.key === undefined ? {} : { verifiedKey: call.key }),
  };
}

/** Success headers: the served model version and feature contract (as inference sent them) and the trace context. */
export function setAnswerHeaders(reply: FastifyReply, answer: { readonly modelVersion?: string; readonly featureContract?: string }): void {
  if (answer.modelVersion !== undefined) reply.header('x-strata-model-version', answer.modelVersion);
  if (answer.featureContract !== undefined) reply.header('x-strata-feature-contract', answer.featureContract);
  trace.getActiveSpan()?.setAttributes(attributesOf({ modelVersion: answer.modelVersion, featureContractVersion: answer.featureContract }));
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (carrier['traceparent'] !== undefined) reply.header('traceparent', carrier['traceparent']);
}

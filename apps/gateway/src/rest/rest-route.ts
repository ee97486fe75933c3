import type { VerifiedKey } from '../api-keys/api-key';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A JSON schema (draft-07 subset, as Fastify's ajv and OpenAPI 3.0 both read it). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What a route handler gets besides the request: the resolved request ID and the caller's timeout. */
export interface RouteCall {
  readonly requestId: string;
  /** `x-request-timeout-ms`, when the caller sent one. */
  readonly callerTimeoutMs?: number;
  /** The caller's key as the route's preValidation verified it (secured routes, auth on): the gate does not verify it again. */
  readonly key?: VerifiedKey;
}

/**
 * One REST route: registered with Fastify (its schemas validate params, headers and body)
 * and described in the OpenAPI document from the same definition.
 */
export interface RestRoute {
  readonly method: 'GET' | 'POST';
  /** Fastify URL (`/v1/models/:name(^[^:/]+)::predict`: `::` is a literal colon, `(...)` a parameter's pattern). */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: 'predictions' | 'open-inference' | 'docs';
  /** Whether an API key is needed (unless auth is switched off). */
  readonly secured: boolean;
  /** Open Inference Protocol route: errors also carry the protocol's `error` member. */
  readonly oip: boolean;
  readonly params?: JsonSchema;
  readonly headers?: JsonSchema;
  readonly body?: JsonSchema;
  /** Success responses by status code (documentation; the handlers build them). */
  readonly responses: Readonly<Record<string, { readonly description: string; readonly schema?: JsonSchema; readonly contentType?: string }>>;
  /** Error statuses the route may answer with (problem+json). */
  readonly errors: readonly number[];
  readonly handler: (request: FastifyRequest, reply: FastifyReply, call: RouteCall) => Promise<unknown>;
}

/** `/v1/models/:name(^[^:/]+)::predict` → `/v1/models/{name}:predict`. */
export function openApiPathOf(url: string): string {
  return url
    .split('::')
    .map((part) => part.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\([^()]*\))?/g, '{$1}'))
    .join(':');
}

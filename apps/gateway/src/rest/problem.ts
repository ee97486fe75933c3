import { status } from '@grpc/grpc-js';
import {
  decodeStatusDetails,
  FailedPreconditionError,
  type FieldViolation,
  InvalidArgumentError,
  ResourceExhaustedError,
  ServiceError,
  UnavailableError,
  UpstreamError,
} from '@strata/service-runtime';
import { InferenceDownError, MessageTooLargeError } from '../inference/inference-upstream';
import { OipResponseError } from '../open-inference/oip-json-response';

/** Base of every problem `type` URI. */
export const PROBLEM_TYPE_BASE = 'https://strata.dev/problems/';
/** Longest path parameter Fastify routes (its maxParamLength); longer ones are answered 414. */
export const MAX_PATH_PARAM_LENGTH = 100;
/** Media type of every error answer of the REST API (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** A problem+json body (RFC 9457) with Strata's extension members. */
export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  errors?: FieldViolation[];
  /** Open Inference Protocol routes only: the protocol's own error member. */
  error?: string;
}

/** An error answer: status, body and the Retry-After delay (seconds) when the caller should retry. */
export interface Problem {
  readonly status: number;
  readonly reason: ProblemReason;
  readonly detail: string;
  readonly errors?: readonly FieldViolation[];
  readonly retryAfterSeconds?: number;
}

/** Every kind of failure the REST API answers with; the stable last segment of `type`. */
export type ProblemReason =
  | 'invalid-argument'
  | 'invalid-request-id'
  | 'invalid-request-timeout'
  | 'malformed-json'
  | 'failed-precondition'
  | 'out-of-range'
  | 'unauthenticated'
  | 'permission-denied'
  | 'not-found'
  | 'method-not-allowed'
  | 'invalid-url'
  | 'uri-too-long'
  | 'header-too-large'
  | 'request-timeout'
  | 'malformed-request'
  | 'already-exists'
  | 'aborted'
  | 'body-too-large'
  | 'request-too-large'
  | 'unsupported-media-type'
  | 'resource-exhausted'
  | 'unavailable'
  | 'deadline-exceeded'
  | 'bad-upstream-response'
  | 'internal';

const TITLES: Readonly<Record<ProblemReason, string>> = {
  'invalid-argument': 'The request is invalid',
  'invalid-request-id': 'The x-request-id header is invalid',
  'invalid-request-timeout': 'The x-request-timeout-ms header is invalid',
  'malformed-json': 'The body is not valid JSON',
  'failed-precondition': 'The request cannot be served in the current state',
  'out-of-range': 'A value is out of range',
  unauthenticated: 'Missing or invalid API key',
  'permission-denied': 'The API key may not do this',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'invalid-url': 'The URL is invalid',
  'uri-too-long': 'A path parameter is too long',
  'header-too-large': 'The request headers are too large',
  'request-timeout': 'The request was not received in time',
  'malformed-request': 'The request is not valid HTTP',
  'already-exists': 'Already exists',
  aborted: 'Aborted by a concurrent change',
  'body-too-large': 'The body is too large',
  'request-too-large': 'The request is too large for the inference hop',
  'unsupported-media-type': 'Unsupported media type',
  'resource-exhausted': 'Rate limit exceeded',
  unavailable: 'Service unavailable',
  'deadline-exceeded': 'Deadline exceeded',
  'bad-upstream-response': 'Bad response from inference',
  internal: 'Internal error',
};

/** HTTP status and reason of each gRPC status a ServiceError can carry. */
const BY_GRPC_STATUS: Partial<Record<status, readonly [number, ProblemReason]>> = {
  [status.INVALID_ARGUMENT]: [400, 'invalid-argument'],
  [status.FAILED_PRECONDITION]: [400, 'failed-precondition'],
  [status.OUT_OF_RANGE]: [400, 'out-of-range'],
  [status.UNAUTHENTICATED]: [401, 'unauthenticated'],
  [status.PERMISSION_DENIED]: [403, 'permission-denied'],
  [status.NOT_FOUND]: [404, 'not-found'],
  [status.ALREADY_EXISTS]: [409, 'already-exists'],
  [status.ABORTED]: [409, 'aborted'],
  [status.RESOURCE_EXHAUSTED]: [429, 'resource-exhausted'],
  [status.UNAVAILABLE]: [503, 'unavailable'],
  [status.DEADLINE_EXCEEDED]: [504, 'deadline-exceeded'],
};

const INTERNAL_DETAIL = 'the gateway could not complete the request; quote the request ID when reporting it';

/** A problem the REST layer raises itself (bad header, body too large, ...). */
export class RestProblemError extends Error {
  override readonly name = 'RestProblemError';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** Fastify's own errors (parsing, limits, schema validation), by the parts the REST layer reads. */
interface FastifyErrorLike {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly validation?: readonly { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> }[];
  readonly validationContext?: string;
}

/**
 * The answer to any error of a REST route. ServiceErrors keep their caller-facing message
 * (inference's own included); failures whose text is internal (transport, deadlines, bugs)
 * get a fixed detail, so no stack, class name or address ever reaches the caller.
 *
 * @param maxBodyBytes the body limit, named in the 413 detail.
 */
export function problemOf(error: unknown, maxBodyBytes: number): Problem {
  if (error instanceof RestProblemError) return error.problem;
  if (error instanceof InferenceDownError) return { status: 503, reason: 'unavailable', detail: 'inference-service is unreachable; retry shortly', retryAfterSeconds: retrySeconds(error.retryAfterMs) };
  if (error instanceof OipResponseError) return { status: 502, reason: 'bad-upstream-response', detail: 'inference-service answered with a response that cannot be written as Open Inference Protocol JSON' };
  // Checked before ServiceError: its RESOURCE_EXHAUSTED is a size limit, never a rate limit (no 429, no Retry-After).
  if (error instanceof MessageTooLargeError) return error.direction === 'request' ? { status: 413, reason: 'request-too-large', detail: error.message } : { status: 502, reason: 'bad-upstream-response', detail: error.message };
  if (error instanceof ServiceError) return serviceProblem(error);
  const fastify = (typeof error === 'object' && error !== null ? error : {}) as FastifyErrorLike;
  if (fastify.validation !== undefined) return validationProblem(fastify);
  switch (fastify.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, reason: 'body-too-large', detail: `the body exceeds the limit of ${maxBodyBytes} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return { status: 415, reason: 'unsupported-media-type', detail: 'send the body as application/json' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, reason: 'malformed-json', detail: 'the content-length header does not match the body' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, reason: 'malformed-json', detail: 'the body is empty; send a JSON object' };
    case 'FST_ERR_BAD_URL':
      return { status: 400, reason: 'invalid-url', detail: 'the URL path is not valid (a malformed percent-encoding?)' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, reason: 'uri-too-long', detail: `a path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters` };
    default:
      break;
  }
  // JSON parse failures (a SyntaxError, or a forbidden __proto__/constructor member) carry 400.
  if (fastify.statusCode === 400 || error instanceof SyntaxError) return { status: 400, reason: 'malformed-json', detail: 'the body is not valid JSON (RFC 8259), or it has a __proto__ or constructor member' };
  if (fastify.statusCode === 413) return { status: 413, reason: 'body-too-large', detail: `the body exceeds the limit of ${maxBodyBytes} bytes` };
  if (fastify.statusCode === 415) return { status: 415, reason: 'unsupported-media-type', detail: 'send the body as application/json' };
  return { status: 500, reason: 'internal', detail: INTERNAL_DETAIL };
}

function serviceProblem(error: ServiceError): Problem {
  const mapped = BY_GRPC_STATUS[error.code];
  if (mapped === undefined) return { status: 500, reason: 'internal', detail: INTERNAL_DETAIL };
  const [httpStatus, reason] = mapped;
  let errors: readonly FieldViolation[] | undefined;
  let retryAfterMs: number | undefined;
  if (error instanceof InvalidArgumentError) errors = error.fieldViolations;
  if (error instanceof FailedPreconditionError) errors = error.violations.map((violation) => ({ field: violation.subject, description: violation.description }));
  if (error instanceof ResourceExhaustedError || error instanceof UnavailableError) retryAfterMs = error.retryAfterMs;
  if (error instanceof UpstreamError && error.statusDetails !== undefined) {
    const details = safeDecode(error.statusDetails);
    if (details !== undefined) {
      const all = [...details.fieldViolations, ...details.preconditionViolations.map((violation) => ({ field: violation.subject, description: violation.description }))];
      if (all.length > 0) errors = all;
      retryAfterMs = details.retryDelayMs;
    }
  }
  // grpc-js writes its own text for deadlines (timings, LB picks): not the caller's business.
  const detail = error.code === status.DEADLINE_EXCEEDED ? 'the request did not complete within its deadline' : error.message;
  const retryable = httpStatus === 429 || httpStatus === 503;
  return {
    status: httpStatus,
    reason,
    detail,
    ...(errors !== undefined && errors.length > 0 ? { errors } : {}),
    ...(retryable ? { retryAfterSeconds: retrySeconds(retryAfterMs) } : {}),
  };
}

function validationProblem(error: FastifyErrorLike): Problem {
  const part = error.validationContext ?? 'body';
  const errors = (error.validation ?? []).map((issue) => ({ field: fieldOfIssue(part, issue), description: issue.message ?? 'is invalid' }));
  const summary = errors
    .slice(0, 5)
    .map((violation) => `${violation.field}: ${violation.description}`)
    .join('; ');
  return { status: 400, reason: 'invalid-argument', detail: `invalid request ${part} (${errors.length} bad field${errors.length === 1 ? '' : 's'}): ${summary}`, errors };
}

function fieldOfIssue(part: string, issue: { instancePath?: string; keyword?: string; params?: Record<string, unknown> }): string {
  let path = jsonPointerToPath(issue.instancePath ?? '');
  const named = issue.keyword === 'required' ? issue.params?.['missingProperty'] : issue.keyword === 'additionalProperties' ? issue.params?.['additionalProperty'] : undefined;
  if (typeof named === 'string') path = appendMember(path, named);
  if (part !== 'body') return path === '' ? part : `${part}.${path}`;
  return path === '' ? '$' : path;
}

/** `/inputs/features/0/2` → `inputs.features[0][2]` (appended to `base`). */
export function jsonPointerToPath(pointer: string, base = ''): string {
  if (pointer === '') return base;
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^[0-9]+$/.test(segment) ? `${path}[${segment}]` : appendMember(path, segment)), base);
}

/** `path.member`, or `path["odd member"]` for a member that is not an identifier. */
export function appendMember(path: string, member: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(member)) return path === '' ? member : `${path}.${member}`;
  return `${path === '' ? '$' : path}[${JSON.stringify(member)}]`;
}

function safeDecode(details: Buffer): ReturnType<typeof decodeStatusDetails> | undefined {
  try {
    return decodeStatusDetails(details);
  } catch {
    return undefined;
  }
}

/** Retry-After seconds: at least 1 (HTTP has no finer unit), 1 when no delay is known. */
export function retrySeconds(retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return 1;
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/** The problem+json body of `problem` for the request at `instance`. */
export function problemJson(problem: Problem, instance: string, requestId: string, oip: boolean): ProblemJson {
  return {
    type: `${PROBLEM_TYPE_BASE}${problem.reason}`,
    title: TITLES[problem.reason],
    status: problem.status,
    detail: problem.detail,
    instance,
    request_id: requestId,
    ...(problem.errors !== undefined && problem.errors.length > 0 ? { errors: problem.errors.map((violation) => ({ field: violation.field, description: violation.description })) } : {}),
    ...(oip ? { error: problem.detail } : {}),
  };
}

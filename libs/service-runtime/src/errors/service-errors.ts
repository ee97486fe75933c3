import { status } from '@grpc/grpc-js';

/** One bad field of a request (google.rpc.BadRequest.FieldViolation). */
export interface FieldViolation {
  /** Path of the field, e.g. `header.sha256`. */
  readonly field: string;
  readonly description: string;
}

/** One failed precondition (google.rpc.PreconditionFailure.Violation), e.g. a gate rule. */
export interface PreconditionViolation {
  /** Kind of precondition, e.g. `GATE_METRIC`. */
  readonly type: string;
  /** What it is about, e.g. the metric name. */
  readonly subject: string;
  readonly description: string;
}

/**
 * An error a service's domain code throws on purpose. Each subclass is one gRPC status;
 * the runtime's exception filter turns it into that status with its message and details,
 * so handlers never build gRPC errors themselves.
 */
export abstract class ServiceError extends Error {
  /** gRPC status code. */
  abstract readonly code: status;
}

/** Most violations a status message spells out; the details always carry every one. */
const MAX_VIOLATIONS_IN_MESSAGE = 5;

/**
 * Violations as status-message text, `name: must be …; tags: …`: at most five, then
 * `(and N more)`. The message is a header (`grpc-message`), so it stays short.
 */
export function describeViolations(violations: readonly FieldViolation[]): string {
  const listed = violations.slice(0, MAX_VIOLATIONS_IN_MESSAGE).map((violation) => `${violation.field}: ${violation.description}`);
  const more = violations.length - listed.length;
  return `${listed.join('; ')}${more > 0 ? `; (and ${more} more)` : ''}`;
}

/** The request is malformed: INVALID_ARGUMENT with every bad field. */
export class InvalidArgumentError extends ServiceError {
  override readonly name = 'InvalidArgumentError';
  readonly code = status.INVALID_ARGUMENT;
  constructor(
    message: string,
    readonly fieldViolations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }

  /**
   * INVALID_ARGUMENT whose message names the bad fields and their rules after `what`
   * (`invalid CreateModel request: name: must …`): clients and logs that show only the
   * status message still say what to fix.
   */
  static listing(what: string, violations: readonly FieldViolation[]): InvalidArgumentError {
    return new InvalidArgumentError(violations.length === 0 ? what : `${what}: ${describeViolations(violations)}`, violations);
  }
}

/** A named thing does not exist: NOT_FOUND. */
export class NotFoundError extends ServiceError {
  override readonly name = 'NotFoundError';
  readonly code = status.NOT_FOUND;
}

/** It exists already and differs: ALREADY_EXISTS. */
export class AlreadyExistsError extends ServiceError {
  override readonly name = 'AlreadyExistsError';
  readonly code = status.ALREADY_EXISTS;
}

/** The caller is known but its role may not do this: PERMISSION_DENIED. */
export class PermissionDeniedError extends ServiceError {
  override readonly name = 'PermissionDeniedError';
  readonly code = status.PERMISSION_DENIED;
}

/** The caller is not known (no or bad token): UNAUTHENTICATED. */
export class UnauthenticatedError extends ServiceError {
  override readonly name = 'UnauthenticatedError';
  readonly code = status.UNAUTHENTICATED;
}

/** A limit was exceeded (size, quota): RESOURCE_EXHAUSTED; `retryAfterMs` becomes google.rpc.RetryInfo. */
export class ResourceExhaustedError extends ServiceError {
  override readonly name = 'ResourceExhaustedError';
  readonly code = status.RESOURCE_EXHAUSTED;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The system is not in the state the call needs (a gate failed): FAILED_PRECONDITION with every violation. */
export class FailedPreconditionError extends ServiceError {
  override readonly name = 'FailedPreconditionError';
  readonly code = status.FAILED_PRECONDITION;
  constructor(
    message: string,
    readonly violations: readonly PreconditionViolation[] = [],
  ) {
    super(message);
  }
}

/** A concurrent change won (compare-and-set lost): ABORTED; re-read and retry. */
export class AbortedError extends ServiceError {
  override readonly name = 'AbortedError';
  readonly code = status.ABORTED;
}

/** A position past the end (e.g. a download offset): OUT_OF_RANGE. */
export class OutOfRangeError extends ServiceError {
  override readonly name = 'OutOfRangeError';
  readonly code = status.OUT_OF_RANGE;
}

/** A dependency could not be reached: UNAVAILABLE; retry with backoff (`retryAfterMs` becomes google.rpc.RetryInfo). */
export class UnavailableError extends ServiceError {
  override readonly name = 'UnavailableError';
  readonly code = status.UNAVAILABLE;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * A downstream service's failure passed on unchanged: its status code, message and
 * `grpc-status-details-bin` (a proxy such as the gateway answers as the service behind it did).
 */
export class UpstreamError extends ServiceError {
  override readonly name = 'UpstreamError';
  constructor(
    readonly code: status,
    message: string,
    readonly statusDetails?: Buffer,
  ) {
    super(message);
  }
}

/** The gRPC status a thrown value ends as: its code for a ServiceError, else undefined. */
export function grpcStatusOf(error: unknown): status | undefined {
  return error instanceof ServiceError ? error.code : undefined;
}

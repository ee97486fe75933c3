import { PROTOS_DIR } from '@strata/contracts';
import path from 'node:path';
import { Root, type Type } from 'protobufjs';
import { FailedPreconditionError, InvalidArgumentError, ResourceExhaustedError, type ServiceError, UnavailableError, UpstreamError } from './service-errors';

/** Metadata key of the binary google.rpc.Status that carries error details. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

let types: { status: Type; badRequest: Type; preconditionFailure: Type; retryInfo: Type } | undefined;

function errorModel(): NonNullable<typeof types> {
  if (types === undefined) {
    const root = new Root();
    root.resolvePath = (_origin, target) => path.join(PROTOS_DIR, target);
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
    types = {
      status: root.lookupType('google.rpc.Status'),
      badRequest: root.lookupType('google.rpc.BadRequest'),
      preconditionFailure: root.lookupType('google.rpc.PreconditionFailure'),
      retryInfo: root.lookupType('google.rpc.RetryInfo'),
    };
  }
  return types;
}

/**
 * The binary google.rpc.Status of an error that has details: BadRequest field violations
 * for INVALID_ARGUMENT, PreconditionFailure violations for FAILED_PRECONDITION. Clients
 * (grpc-js users, grpcurl, the strata CLI) decode it from `grpc-status-details-bin`.
 */
export function encodeStatusDetails(error: ServiceError): Buffer | undefined {
  if (error instanceof UpstreamError) return error.statusDetails;
  const model = errorModel();
  const details: { type_url: string; value: Uint8Array }[] = [];
  if (error instanceof InvalidArgumentError && error.fieldViolations.length > 0) {
    const value = model.badRequest.encode({ field_violations: error.fieldViolations.map((v) => ({ field: v.field, description: v.description })) }).finish();
    details.push({ type_url: 'type.googleapis.com/google.rpc.BadRequest', value });
  }
  if (error instanceof FailedPreconditionError && error.violations.length > 0) {
    const value = model.preconditionFailure.encode({ violations: error.violations.map((v) => ({ type: v.type, subject: v.subject, description: v.description })) }).finish();
    details.push({ type_url: 'type.googleapis.com/google.rpc.PreconditionFailure', value });
  }
  if ((error instanceof ResourceExhaustedError || error instanceof UnavailableError) && error.retryAfterMs !== undefined) {
    const ms = Math.max(0, Math.ceil(error.retryAfterMs));
    const value = model.retryInfo.encode({ retry_delay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 } }).finish();
    details.push({ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value });
  }
  if (details.length === 0) return undefined;
  return Buffer.from(model.status.encode({ code: error.code, message: error.message, details }).finish());
}

/** Decoded details of a failed call, for clients: the field and precondition violations. */
export interface DecodedStatusDetails {
  readonly fieldViolations: { field: string; description: string }[];
  readonly preconditionViolations: { type: string; subject: string; description: string }[];
  /** google.rpc.RetryInfo, in milliseconds; undefined when absent. */
  retryDelayMs?: number;
}

/** Decodes a `grpc-status-details-bin` value (see {@link encodeStatusDetails}). */
export function decodeStatusDetails(bytes: Buffer): DecodedStatusDetails {
  const model = errorModel();
  const status = model.status.toObject(model.status.decode(bytes)) as { details?: { type_url: string; value: Uint8Array }[] };
  const result: DecodedStatusDetails = { fieldViolations: [], preconditionViolations: [] };
  for (const detail of status.details ?? []) {
    if (detail.type_url.endsWith('google.rpc.BadRequest')) {
      const decoded = model.badRequest.toObject(model.badRequest.decode(detail.value)) as { field_violations?: DecodedStatusDetails['fieldViolations'] };
      result.fieldViolations.push(...(decoded.field_violations ?? []));
    } else if (detail.type_url.endsWith('google.rpc.PreconditionFailure')) {
      const decoded = model.preconditionFailure.toObject(model.preconditionFailure.decode(detail.value)) as { violations?: DecodedStatusDetails['preconditionViolations'] };
      result.preconditionViolations.push(...(decoded.violations ?? []));
    } else if (detail.type_url.endsWith('google.rpc.RetryInfo')) {
      const decoded = model.retryInfo.toObject(model.retryInfo.decode(detail.value), { longs: Number }) as { retry_delay?: { seconds?: number; nanos?: number } };
      result.retryDelayMs = (decoded.retry_delay?.seconds ?? 0) * 1000 + Math.round((decoded.retry_delay?.nanos ?? 0) / 1e6);
    }
  }
  return result;
}

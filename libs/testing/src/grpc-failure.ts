import { type ServiceError, status } from '@grpc/grpc-js';
import { decodeStatusDetails, type DecodedStatusDetails, STATUS_DETAILS_KEY } from '@strata/service-runtime';

/** A gRPC failure as tests assert on it: status code, message and decoded google.rpc details. */
export interface CallFailure extends DecodedStatusDetails {
  readonly code: status;
  readonly codeName: string;
  readonly details: string;
}

/** The failure of a call that was expected to fail (throws when it succeeded or failed otherwise). */
export async function failureOf(call: Promise<unknown>): Promise<CallFailure> {
  try {
    await call;
  } catch (error) {
    const failure = error as Partial<ServiceError>;
    if (typeof failure.code !== 'number') throw error;
    const [details] = failure.metadata?.get(STATUS_DETAILS_KEY) ?? [];
    const decoded = Buffer.isBuffer(details) ? decodeStatusDetails(details) : { fieldViolations: [], preconditionViolations: [] };
    return { code: failure.code, codeName: status[failure.code] ?? String(failure.code), details: failure.details ?? '', ...decoded };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { encodeStatusDetails, UpstreamError } from '@strata/service-runtime';
import { InferenceDownError, MessageTooLargeError, messageTooLargeOf, upstreamErrorOf } from './inference-upstream';

function aGrpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

describe(upstreamErrorOf.name, () => {
  it('reads grpc-js refusing an oversized request (inference would not read it) as a MessageTooLargeError, not a rate limit', () => {
    const error = upstreamErrorOf(aGrpcError(status.RESOURCE_EXHAUSTED, 'Received message larger than max (8192327 vs 4259840)'));
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error).toMatchObject({ code: status.RESOURCE_EXHAUSTED, direction: 'request', sizeBytes: 8192327, limitBytes: 4259840 });
    expect(error.message).toBe('the request is too large for the inference hop: 8192327 bytes as a gRPC message, at most 4259840; send fewer rows or smaller tensors (do not retry it as is)');
    // gRPC callers: RESOURCE_EXHAUSTED without google.rpc.RetryInfo (no details at all).
    expect(encodeStatusDetails(error)).toBeUndefined();
  });

  it('reads grpc-js refusing an oversized answer (inference would not send it) as a MessageTooLargeError of the response', () => {
    const error = upstreamErrorOf(aGrpcError(status.RESOURCE_EXHAUSTED, 'Sent message larger than max (8192327 vs. 4259840)'));
    expect(error).toMatchObject({ direction: 'response', sizeBytes: 8192327, limitBytes: 4259840 });
    expect(error.message).toContain("inference's answer is too large");
  });

  it('passes inference\'s own RESOURCE_EXHAUSTED (a full batch queue) and other statuses on unchanged', () => {
    const queueFull = upstreamErrorOf(aGrpcError(status.RESOURCE_EXHAUSTED, 'batch queue full'));
    expect(queueFull).toBeInstanceOf(UpstreamError);
    expect(queueFull).toMatchObject({ code: status.RESOURCE_EXHAUSTED, message: 'batch queue full' });
    expect(messageTooLargeOf({ code: status.INVALID_ARGUMENT, details: 'Received message larger than max (9 vs 4)' })).toBeUndefined();
    expect(upstreamErrorOf(aGrpcError(status.UNAVAILABLE, 'No connection established'))).toBeInstanceOf(InferenceDownError);
  });
});

import { status } from '@grpc/grpc-js';
import { InvalidArgumentError, ResourceExhaustedError, UnavailableError, UpstreamError } from './service-errors';
import { decodeStatusDetails, encodeStatusDetails } from './status-details';

describe('status details', () => {
  it('carries a retry delay as google.rpc.RetryInfo for RESOURCE_EXHAUSTED and UNAVAILABLE', () => {
    const quota = encodeStatusDetails(new ResourceExhaustedError('rate limit of key checkout-web exceeded', 1_250));
    expect(decodeStatusDetails(quota as Buffer)).toEqual({ fieldViolations: [], preconditionViolations: [], retryDelayMs: 1_250 });
    const down = encodeStatusDetails(new UnavailableError('inference is unavailable', 250));
    expect(decodeStatusDetails(down as Buffer).retryDelayMs).toBe(250);
    expect(encodeStatusDetails(new UnavailableError('no advice'))).toBeUndefined();
  });

  it('passes an upstream service\'s details on byte for byte', () => {
    const upstream = encodeStatusDetails(new InvalidArgumentError('bad', [{ field: 'inputs[features]', description: 'expected FP32' }])) as Buffer;
    const passed = encodeStatusDetails(new UpstreamError(status.INVALID_ARGUMENT, 'bad', upstream));
    expect(passed).toBe(upstream);
    expect(decodeStatusDetails(passed as Buffer).fieldViolations).toEqual([{ field: 'inputs[features]', description: 'expected FP32' }]);
    expect(encodeStatusDetails(new UpstreamError(status.INTERNAL, 'boom'))).toBeUndefined();
  });
});

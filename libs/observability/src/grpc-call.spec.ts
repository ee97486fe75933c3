import { Metadata, status } from '@grpc/grpc-js';
import { grpcCallOfHandlerArgs, grpcMethodName, grpcStatusCodeOfError, grpcStatusName, metadataValue } from './grpc-call';

const aCall = (metadata = new Metadata()) => ({ metadata, sendMetadata: jest.fn(), getPath: () => '/strata.registry.v1.RegistryService/GetModel' });

describe(grpcCallOfHandlerArgs.name, () => {
  it('finds metadata and call in (data, metadata, call) of @GrpcMethod handlers', () => {
    const metadata = new Metadata();
    const call = aCall();
    expect(grpcCallOfHandlerArgs([{ name: 'x' }, metadata, call])).toEqual({ metadata, call });
  });

  it('takes the metadata of the call for (call, callback) of @GrpcStreamCall handlers', () => {
    const call = aCall();
    expect(grpcCallOfHandlerArgs([call, () => undefined])).toEqual({ metadata: call.metadata, call });
  });

  it('is undefined for non-gRPC arguments', () => {
    expect(grpcCallOfHandlerArgs([{ pattern: 'x' }, {}])).toBeUndefined();
  });
});

describe(grpcStatusCodeOfError.name, () => {
  it('reads RpcException-style errors, grpc errors and falls back to UNKNOWN', () => {
    expect(grpcStatusCodeOfError({ getError: () => ({ code: status.NOT_FOUND, message: 'no model' }) })).toBe(status.NOT_FOUND);
    expect(grpcStatusCodeOfError(Object.assign(new Error('gate'), { code: status.FAILED_PRECONDITION }))).toBe(status.FAILED_PRECONDITION);
    expect(grpcStatusCodeOfError(new Error('bug'))).toBe(status.UNKNOWN);
    expect(grpcStatusCodeOfError({ code: 'ENOENT' })).toBe(status.UNKNOWN);
    expect(grpcStatusCodeOfError('text')).toBe(status.UNKNOWN);
  });

  it('names status codes', () => {
    expect([grpcStatusName(0), grpcStatusName(5), grpcStatusName(99)]).toEqual(['OK', 'NOT_FOUND', '99']);
  });
});

describe(grpcMethodName.name, () => {
  it('uses the call path without its leading slash, else the fallback', () => {
    expect(grpcMethodName(aCall(), 'fallback')).toBe('strata.registry.v1.RegistryService/GetModel');
    expect(grpcMethodName(undefined, 'Controller/handler')).toBe('Controller/handler');
  });
});

describe(metadataValue.name, () => {
  it('reads text and binary values', () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', 'r1');
    metadata.set('trace-bin', Buffer.from('abc'));
    expect([metadataValue(metadata, 'x-request-id'), metadataValue(metadata, 'trace-bin'), metadataValue(metadata, 'absent')]).toEqual(['r1', 'abc', undefined]);
  });
});
